// Wires the coordinator from its parts. Informers and the report endpoint run on every replica;
// the controller's workers run only while this replica holds the Lease (one Controller, with a
// fresh queue, per leadership term). `stop` unwinds in order: workers, lease, informers, servers.
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../common/log.ts";
import { objectKey } from "../common/workflow-key.ts";
import { Applier } from "./applier.ts";
import { countByPhase, createCaches } from "./caches.ts";
import type { CoordinatorConfig } from "./config.ts";
import { Controller } from "./controller.ts";
import type { ReconcileInput, ReconcileResult } from "./engine/index.ts";
import { CacheExpectations } from "./expectations.ts";
import { startHealthServer } from "../common/http-server.ts";
import type { KubeClient } from "./kube-client.ts";
import { LeaderElector } from "./leader-election.ts";
import type { CoordinatorMetrics } from "./metrics.ts";
import { CreateRefusals } from "./create-refusals.ts";
import { NodeStatusPacking } from "./node-status-packing.ts";
import { OwnWrites } from "./own-writes.ts";
import { createPodProxy, type OpenApiStream } from "./pod-proxy.ts";
import { handleReport } from "./report-handler.ts";
import { createReportApp, startReportServer } from "./report-server.ts";
import { cachedTokenReview } from "./token-review-cache.ts";
import { templatesOf } from "./workflow-templates.ts";
import { repositoryConfigMapsOf } from "./artifact-repositories.ts";

export interface CoordinatorDeps {
  client: KubeClient;
  metrics: CoordinatorMetrics;
  reconcile: (input: ReconcileInput) => ReconcileResult;
  logger: Logger;
  now?: () => number;
  /** Streaming GETs for the sidecars' pod proxy; absent, the proxy answers 503. */
  openApiStream?: OpenApiStream;
}

export interface RunningCoordinator {
  reportPort: number;
  metricsPort: number;
  isLeader(): boolean;
  stop(): Promise<void>;
}

const realDelay = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal });
const realTimers = {
  now: (): number => Date.now(),
  setTimer: (ms: number, fn: () => void): (() => void) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export async function startCoordinator(
  config: CoordinatorConfig,
  deps: CoordinatorDeps,
): Promise<RunningCoordinator> {
  const { client, metrics, logger } = deps;
  const now = deps.now ?? realTimers.now;
  const expectations = new CacheExpectations({ now });
  const createRefusals = new CreateRefusals();
  const ownWrites = new OwnWrites();
  const packing = new NodeStatusPacking({ maxBytes: config.maxWorkflowSize });
  let term: { controller: Controller; abort: AbortController; done: Promise<void> } | undefined;

  const caches = createCaches({
    client,
    namespace: config.watchNamespace,
    relistIntervalMs: config.relistIntervalMs,
    now,
    delay: realDelay,
    logger,
    // While a reconcile waits for the caches to catch up with our writes, every event of its key
    // may be the awaited one: none is coalesced or skipped then (else it waits its full retry).
    onKey: (key, urgent) => {
      const atOnce = urgent || expectations.awaited(key);
      metrics.watchEvent(atOnce ? "at_once" : "coalesced");
      if (atOnce) term?.controller.enqueue(key);
      else term?.controller.enqueueCoalesced(key);
    },
    isOwnWrite: (key, version) => {
      const own = ownWrites.consume(key, version) && !expectations.awaited(key);
      if (own) metrics.watchEvent("own_write");
      return own;
    },
    onWorkflowRelist: () => {
      for (const workflow of caches.listWorkflows()) term?.controller.enqueue(objectKey(workflow));
    },
  });
  const applier = new Applier({
    client,
    now,
    logger,
    metrics,
    identity: config.identity,
    onPodCreated: (key, pod) => expectations.createdPod(key, pod),
    onWorkflowWritten: (key, superseded, written) => {
      expectations.wroteWorkflow(key, superseded);
      ownWrites.wrote(key, written);
    },
    createRefusals,
    packing,
  });

  const startTerm = (): void => {
    const controller = new Controller({
      cache: caches,
      reconcile: deps.reconcile,
      engineConfig: {
        defaultServiceAccountName: config.defaultServiceAccountName,
        stuckPodGraceMs: config.stuckPodGraceMs,
        controllerNamespace: config.namespace,
        ...(config.image === undefined ? {} : { image: config.image }),
        ...(config.defaultArtifactRepository === undefined
          ? {}
          : { defaultArtifactRepository: config.defaultArtifactRepository }),
      },
      applier,
      expectations,
      workers: config.workers,
      coalesceMs: config.coalesceMs,
      ownWrites,
      timers: { ...realTimers, now },
      delay: realDelay,
      logger,
      metrics,
      createRefusals,
      unpackStatus: (workflow) => packing.unpack(workflow),
      workflowTemplates: (workflow) =>
        templatesOf(workflow, {
          cached: (namespace, ref) => caches.workflowTemplate(ref.clusterScope ? "" : namespace, ref.name),
          fetch: (namespace, ref) => client.getWorkflowTemplate(ref.clusterScope ? "" : namespace, ref.name),
        }),
      artifactRepositoryConfigMaps: (workflow) =>
        repositoryConfigMapsOf(workflow, config.namespace, (namespace, name) =>
          client.getConfigMap(namespace, name),
        ),
    });
    const abort = new AbortController();
    term = { controller, abort, done: controller.run(abort.signal) };
  };
  const stopTerm = async (): Promise<void> => {
    const current = term;
    term = undefined;
    if (current === undefined) return;
    current.abort.abort();
    await current.done;
  };

  const elector = new LeaderElector({
    client,
    namespace: config.namespace,
    name: config.leaseName,
    identity: config.identity,
    now,
    delay: realDelay,
    logger,
    onStartedLeading: () => {
      metrics.setLeader(true);
      startTerm();
    },
    onStoppedLeading: async () => {
      metrics.setLeader(false);
      await stopTerm();
    },
  });
  metrics.setStateSources({
    workflowsByPhase: () => countByPhase(caches.listWorkflows()),
    queueDepth: () => term?.controller.queue.len() ?? 0,
  });

  caches.start();
  const electing = new AbortController();
  const election = elector.run(electing.signal);

  // One review per token every few seconds covers a sidecar's watch, log stream and report.
  const reviewToken = cachedTokenReview({
    review: (token, audiences) => client.reviewToken(token, audiences),
    nowMs: now,
  });
  const getPod = (namespace: string, name: string): ReturnType<KubeClient["getPod"]> =>
    client.getPod(namespace, name);
  const reportApp = createReportApp({
    logger,
    metrics,
    podProxy: createPodProxy({
      reviewToken,
      getPod,
      cachedPod: (namespace, name) => caches.pods.get(namespace, name),
      logger,
      metrics,
      ...(deps.openApiStream === undefined ? {} : { openApiStream: deps.openApiStream }),
    }),
    handle: (request) =>
      handleReport(request, {
        reviewToken,
        getPod,
        cachedPod: (namespace, name) => caches.pods.get(namespace, name),
        annotatePod: async (pod, key, value) => {
          const { namespace = "", name = "", uid, resourceVersion } = pod.metadata ?? {};
          await client.patchPod(namespace, name, {
            metadata: { uid, resourceVersion, annotations: { [key]: value } },
          });
        },
        onStored: (key) => term?.controller.enqueue(key),
      }),
  });
  const reportServer = await startReportServer({
    app: reportApp,
    port: config.reportPort,
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    readFile,
    logger,
  });
  const healthServer = await startHealthServer({
    registry: metrics.registry,
    ready: () => caches.hasSynced() || !elector.isLeader(),
    notReady: "caches not synced",
    port: config.metricsPort,
  });
  logger.info("coordinator started", {
    identity: config.identity,
    reportPort: reportServer.port,
    metricsPort: healthServer.port,
    watchNamespace: config.watchNamespace === "" ? "(all)" : config.watchNamespace,
    tls: config.tls !== undefined,
  });

  return {
    reportPort: reportServer.port,
    metricsPort: healthServer.port,
    isLeader: () => elector.isLeader(),
    stop: async () => {
      electing.abort(); // stops the workers (awaited), then releases the lease
      await election;
      await caches.stop();
      await Promise.all([reportServer.close(), healthServer.close()]);
    },
  };
}
