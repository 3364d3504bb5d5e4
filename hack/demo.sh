#!/usr/bin/env bash
# `make demo`: the test cluster, onexit installed by its chart, and Argo's exit-handler example.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ONEXIT_STATE:=/tmp/onexit-cluster}"
export KUBECONFIG="${KUBECONFIG:-$ONEXIT_STATE/kubeconfig}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Building dist/ (the test cluster runs the compiled entrypoint, as the image does)"
node_modules/.bin/tsc -p tsconfig.build.json

step "Installing onexit with its Helm chart"
kubectl create namespace onexit --dry-run=client -o yaml | kubectl apply -f - >/dev/null
# The test cluster's SeaweedFS (test/cluster/up.sh) as the default artifact repository; its
# credentials' Secret goes in the workflows' namespace, as Argo's rule wants.
repository=()
if [[ -f "$ONEXIT_STATE/artifact-store.env" ]]; then
  # shellcheck source=/dev/null
  source "$ONEXIT_STATE/artifact-store.env"
  kubectl create secret generic onexit-artifacts --from-literal=accesskey="$S3_ACCESS_KEY" \
    --from-literal=secretkey="$S3_SECRET_KEY" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  repository=(--set-json "artifactRepository={\"s3\":{\"endpoint\":\"$S3_ENDPOINT\",\"bucket\":\"$S3_BUCKET\",\"insecure\":true,\"accessKeySecret\":{\"name\":\"onexit-artifacts\",\"key\":\"accesskey\"},\"secretKeySecret\":{\"name\":\"onexit-artifacts\",\"key\":\"secretkey\"}}}")
fi
helm upgrade --install onexit charts/onexit --namespace onexit --wait --timeout 5m "${repository[@]}"
kubectl -n onexit get pods -o wide

step "kubectl create -f examples/exit-handler.yaml"
name=$(kubectl create -f examples/exit-handler.yaml -o jsonpath='{.metadata.name}')
echo "workflow.argoproj.io/$name created"

step "kubectl get workflow -w"
kubectl get workflow "$name" -w &
watcher=$!
until phase=$(kubectl get workflow "$name" -o jsonpath='{.status.phase}') && [[ $phase =~ ^(Succeeded|Failed|Error)$ ]]; do
  sleep 0.5
done
# Let the watch print the final row before it is stopped.
sleep 1
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true

handler=$(kubectl get pods -l "workflows.argoproj.io/workflow=$name,workflows.argoproj.io/on-exit=true" -o jsonpath='{.items[0].metadata.name}')
kubectl wait --for=jsonpath='{.status.phase}'=Succeeded "pod/$handler" --timeout=60s >/dev/null || true

step "kubectl get pods"
kubectl get pods -l "workflows.argoproj.io/workflow=$name"

step "kubectl logs $name            (the step's main container)"
kubectl logs "$name"
step "kubectl logs $name -c wait    (the sidecar's story)"
kubectl logs "$name" -c wait
step "kubectl logs $handler    (the exit handler)"
kubectl logs "$handler"

step "A few of the coordinator's metrics"
for pod in $(kubectl -n onexit get pods -l app.kubernetes.io/component=coordinator -o name); do
  kubectl get --raw "/api/v1/namespaces/onexit/pods/${pod#pod/}:9090/proxy/metrics" |
    grep -E '^onexit_(is_leader|workflows_completed_total|exit_handler_start_latency_milliseconds_(count|sum))' || true
done

step "Done. The cluster keeps running: export KUBECONFIG=$KUBECONFIG   (make cluster-down stops it)"
