#!/usr/bin/env bash
# Starts onexit's offline-built image (test/cluster/images.sh) under containerd and runc as a kubelet
# would run it: read-only root filesystem, the image's non-root user, the chart's environment and a
# TLS volume. No cluster is needed: each entrypoint must get as far as serving or connecting.
# Uses CONTAINERD_ADDRESS when set, else a throwaway containerd under a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../../.."
cache=${ONEXIT_CACHE:-$HOME/.cache/onexit}
image=$(bash test/cluster/images.sh | grep '/onexit:')
tmp=$(mktemp -d /tmp/onexit-image-smoke.XXXXXX)
ctrd_pid=""
cleanup() {
  for id in smoke-coordinator smoke-webhook smoke-sidecar smoke-init; do
    "${ctr[@]}" tasks kill -s KILL "$id" >/dev/null 2>&1 || true
    "${ctr[@]}" tasks rm -f "$id" >/dev/null 2>&1 || true
    "${ctr[@]}" containers rm "$id" >/dev/null 2>&1 || true
  done
  if [[ -n $ctrd_pid ]]; then kill "$ctrd_pid" 2>/dev/null; wait "$ctrd_pid" 2>/dev/null || true; fi
  umount "$tmp/root/"*/* 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

address=${CONTAINERD_ADDRESS:-}
if [[ -z $address ]]; then
  address=$tmp/containerd.sock
  cat >"$tmp/config.toml" <<EOF
version = 2
root = "$tmp/root"
state = "$tmp/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$address"
EOF
  containerd --config "$tmp/config.toml" >"$tmp/containerd.log" 2>&1 &
  ctrd_pid=$!
  for _ in $(seq 50); do [[ -S $address ]] && break; sleep 0.2; done
fi
ctr=(ctr --address "$address" --namespace k8s.io)
archive=$cache/images/$(tr '/:' '__' <<<"$image").tar
"${ctr[@]}" images import "$archive" >/dev/null

# What the chart mounts: a serving certificate, a CA, a service account token.
mkdir -p "$tmp/tls" "$tmp/sa"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=smoke -keyout "$tmp/tls/tls.key" \
  -out "$tmp/tls/tls.crt" 2>/dev/null
cp "$tmp/tls/tls.crt" "$tmp/tls/ca.crt"
cp "$tmp/tls/tls.crt" "$tmp/sa/ca.crt"
echo smoke-token >"$tmp/sa/token"
echo default >"$tmp/sa/namespace"
chmod -R a+rX "$tmp/tls" "$tmp/sa"
mounts=(--mount "type=bind,src=$tmp/tls,dst=/etc/onexit/tls,options=rbind:ro"
  --mount "type=bind,src=$tmp/sa,dst=/var/run/secrets/kubernetes.io/serviceaccount,options=rbind:ro"
  --mount "type=bind,src=$tmp/sa,dst=/var/run/onexit/token,options=rbind:ro")
tls=(--env ONEXIT_TLS_CERT_FILE=/etc/onexit/tls/tls.crt --env ONEXIT_TLS_KEY_FILE=/etc/onexit/tls/tls.key)
# Nothing listens on the API server's and the coordinator's addresses: connecting is as far as it goes.
declare -A env=(
  [coordinator]="--env ONEXIT_NAMESPACE=onexit --env KUBERNETES_SERVICE_HOST=127.0.0.1 --env KUBERNETES_SERVICE_PORT=6443"
  [webhook]="--env ONEXIT_SIDECAR_IMAGE=$image --env ONEXIT_COORDINATOR_URL=https://127.0.0.1:8443 --env ONEXIT_COORDINATOR_CA_FILE=/etc/onexit/tls/ca.crt --env ONEXIT_COORDINATOR_SERVICE_ACCOUNT=onexit:onexit-coordinator"
  [sidecar]="--env POD_NAME=p --env POD_NAMESPACE=default --env POD_UID=u --env ONEXIT_COORDINATOR_URL=https://127.0.0.1:8443 --env ONEXIT_SIDECAR_DEADLINE_SECONDS=5"
)
# The log line that shows the component started and reached its network step.
declare -A expect=(
  [coordinator]='lease attempt failed|ECONNREFUSED'
  [webhook]='webhook listening'
  [sidecar]='ECONNREFUSED'
)
failed=0
for component in coordinator webhook sidecar; do
  # shellcheck disable=SC2086 # the env strings are word lists
  timeout 12 "${ctr[@]}" run --rm --read-only "${mounts[@]}" "${tls[@]}" ${env[$component]} \
    "$image" "smoke-$component" node dist/bin/onexit.js "$component" >"$tmp/$component.log" 2>&1 || true
  if grep -Eqi "${expect[$component]}" "$tmp/$component.log" && ! grep -q "invalid configuration" "$tmp/$component.log"; then
    echo "ok   $component: $(grep -Ei "${expect[$component]}" "$tmp/$component.log" | head -1 | cut -c1-160)"
  else
    echo "FAIL $component:"; sed 's/^/     /' "$tmp/$component.log" | head -20; failed=1
  fi
done

# The init container's entrypoint: it creates the output files in the emptyDir, as the image's user.
mkdir -m 0777 "$tmp/outputs"
"${ctr[@]}" run --rm --read-only --mount "type=bind,src=$tmp/outputs,dst=/onexit/outputs,options=rbind:rw" \
  "$image" smoke-init node dist/bin/onexit.js output-placeholders /onexit/outputs/p0 >"$tmp/init.log" 2>&1 || true
if [[ -f $tmp/outputs/p0 ]]; then echo "ok   output-placeholders: $(stat -c '%a %u %Y' "$tmp/outputs/p0") (mode, uid, mtime)"; else
  echo "FAIL output-placeholders:"; sed 's/^/     /' "$tmp/init.log"; failed=1
fi

# Every file readable by any user: the sidecar runs as 65532, not as the image's 10001.
mkdir -p "$tmp/archive" && tar -xf "$archive" -C "$tmp/archive"
unreadable=$(for layer in "$tmp/archive"/*.tar; do tar -tvf "$layer"; done | awk '$1 !~ /^l/ && substr($1, 8, 1) != "r"' | head -5)
if [[ -n $unreadable ]]; then echo "FAIL files not readable by other users:"; echo "$unreadable"; failed=1; else echo "ok   every file is readable by any user"; fi

# The chart runs the injected `wait` container as 65532, not as the image's user: runc, that uid.
mkdir -p "$tmp/bundle/rootfs"
for layer in $(node -p 'require(process.argv[1])[0].Layers.join(" ")' "$tmp/archive/manifest.json"); do
  tar -xf "$tmp/archive/$layer" -C "$tmp/bundle/rootfs"
done
(cd "$tmp/bundle" && runc spec)
node - "$tmp/bundle/config.json" "$tmp/sa" <<'JS'
const { readFileSync, writeFileSync } = require("node:fs");
const [path, tokenDir] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(path, "utf8"));
spec.process.terminal = false;
spec.process.user = { uid: 65532, gid: 65532 };
spec.process.cwd = "/app";
spec.process.args = ["node", "dist/bin/onexit.js", "sidecar"];
spec.process.env = ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=production", "POD_NAME=p", "POD_NAMESPACE=default",
  "POD_UID=u", "ONEXIT_COORDINATOR_URL=https://127.0.0.1:8443"];
spec.root.readonly = true;
spec.mounts.push({ destination: "/var/run/onexit/token", type: "bind", source: tokenDir, options: ["rbind", "ro"] });
writeFileSync(path, JSON.stringify(spec));
JS
timeout 8 runc run --bundle "$tmp/bundle" smoke-sidecar-65532 >"$tmp/sidecar-65532.log" 2>&1 || true
runc delete --force smoke-sidecar-65532 >/dev/null 2>&1 || true
if grep -q "ECONNREFUSED" "$tmp/sidecar-65532.log"; then
  echo "ok   sidecar as 65532: $(grep "ECONNREFUSED" "$tmp/sidecar-65532.log" | head -1 | cut -c1-160)"
else
  echo "FAIL sidecar as 65532:"; sed 's/^/     /' "$tmp/sidecar-65532.log" | head -20; failed=1
fi
exit $failed
