// @kubernetes/client-node 2.0.1 builds a new undici Agent, that is a new connection pool, for
// every API request: nothing is reused, every call pays a TLS handshake, and idle keep-alive
// sockets pile up (measured in `make bench`: 144 open sockets and ~400 MiB RSS in the
// coordinator, a quarter of its CPU in TLS setup). One pool per KubeConfig fixes all three.
import type { KubeConfig } from "@kubernetes/client-node";

type DispatcherFactory = (cluster: unknown, agentOptions: unknown) => unknown;

/** Makes every request made through `kc` share one connection pool. Credentials stay
 * per request (headers), so rotated service-account tokens keep working. */
export function shareConnections(kc: KubeConfig): KubeConfig {
  // createDispatcher is private in client-node's typings; it is the one place the pool is made.
  const target = kc as unknown as { createDispatcher: DispatcherFactory };
  const create = target.createDispatcher.bind(kc);
  let shared: unknown;
  target.createDispatcher = (cluster, agentOptions) => {
    shared ??= create(cluster, agentOptions);
    return shared;
  };
  return kc;
}
