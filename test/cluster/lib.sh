# Shared by build.sh, up.sh and down.sh (sourced, not executed).
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLUSTER_DIR/../.." && pwd)

: "${ONEXIT_CACHE:=$HOME/.cache/onexit}"
: "${ONEXIT_STATE:=/tmp/onexit-cluster}"
# The cluster's node: a real kubelet with containerd (kubelet) or the process agent (agent).
: "${ONEXIT_NODE:=kubelet}"
export ONEXIT_CACHE ONEXIT_STATE ONEXIT_NODE

# Network of the test cluster (docs/CONTRACTS.md).
BRIDGE=onexit0
NODE_IP=10.250.0.1
BRIDGE_CIDR=10.250.0.1/16
POD_CIDR=10.250.0.0/16
SERVICE_CIDR=10.96.0.0/16
API_PORT=6443
API_SERVER=https://${NODE_IP}:${API_PORT}
ETCD_CLIENT_URL=http://127.0.0.1:12379
ETCD_PEER_URL=http://127.0.0.1:12380
# The agent's Node is the one tests recognise as "pods are host processes" (faults, sidecar).
if [[ $ONEXIT_NODE == kubelet ]]; then NODE_NAME=onexit-kubelet; else NODE_NAME=onexit-node; fi

K8S_VERSION=$(sed -n 's#^[[:space:]]*k8s.io/kubernetes \(v[^[:space:]]*\).*#\1#p' "$CLUSTER_DIR/go.mod" | head -1)
HELM_VERSION=$(sed -n 's#^[[:space:]]*helm.sh/helm/v3 \(v[^[:space:]]*\).*#\1#p' "$REPO_ROOT/test/tools/helm/go.mod" | head -1)
ARGO_MODULE=github.com/argoproj/argo-workflows/v4
ARGO_TOOLS_DIR="$REPO_ROOT/test/tools/argo"
ARGO_VERSION=$(sed -n 's#^[[:space:]]*require '"$ARGO_MODULE"' \(v[^[:space:]]*\).*#\1#p; s#^[[:space:]]*'"$ARGO_MODULE"' \(v[^[:space:]]*\).*#\1#p' "$ARGO_TOOLS_DIR/go.mod" | head -1)

# The binaries' directory is keyed by the Kubernetes version and a hash of everything
# that goes into them, so a change of go.mod/go.sum or of the launcher rebuilds.
k8s_build_key() {
	(
		cd "$CLUSTER_DIR" || exit 1
		{
			cat go.mod go.sum
			find cmd -type f -name '*.go' ! -name '*_test.go' | LC_ALL=C sort | xargs cat
		} | sha256sum | cut -c1-12
	)
}
K8S_BIN_DIR="$ONEXIT_CACHE/k8s-${K8S_VERSION}-$(k8s_build_key)/bin"
HELM_BIN_DIR="$ONEXIT_CACHE/helm-${HELM_VERSION}/bin"
# Argo's binaries are keyed by its pinned go.mod/go.sum (test/tools/argo).
argo_build_key() { cat "$ARGO_TOOLS_DIR/go.mod" "$ARGO_TOOLS_DIR/go.sum" | sha256sum | cut -c1-12; }
ARGO_BIN_DIR="$ONEXIT_CACHE/argo-${ARGO_VERSION}-$(argo_build_key)/bin"
# `make test` needs only Argo's CLI (conformance); `make bench` (ONEXIT_ARGO_PEER=1) also runs
# Argo itself side by side, so only it pays for building the controller and argoexec.
ARGO_BINARIES=(argo)
[[ "${ONEXIT_ARGO_PEER:-0}" == 1 ]] && ARGO_BINARIES+=(workflow-controller argoexec)
# The kubelet node's CNI plugins, pinned in test/tools/cni/go.mod and keyed like the k8s build.
CNI_MODULE_DIR=$REPO_ROOT/test/tools/cni
CNI_VERSION=$(sed -n 's#^[[:space:]]*github.com/containernetworking/plugins \(v[^[:space:]]*\).*#\1#p' "$CNI_MODULE_DIR/go.mod" | head -1)
CNI_BIN_DIR="$ONEXIT_CACHE/cni-${CNI_VERSION}-$(cat "$CNI_MODULE_DIR/go.mod" "$CNI_MODULE_DIR/go.sum" | sha256sum | cut -c1-12)/bin"
CNI_PLUGINS=(bridge host-local loopback portmap)
# The artifact store: SeaweedFS's `weed`, pinned in test/tools/seaweedfs/go.mod, keyed like CNI.
SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
SEAWEEDFS_TOOLS_DIR=$REPO_ROOT/test/tools/seaweedfs
SEAWEEDFS_VERSION=$(sed -n 's#^[[:space:]]*'"$SEAWEEDFS_MODULE"' \(v[^[:space:]]*\).*#\1#p' "$SEAWEEDFS_TOOLS_DIR/go.mod" | head -1)
SEAWEEDFS_BIN_DIR="$ONEXIT_CACHE/seaweedfs-${SEAWEEDFS_VERSION}-$(cat "$SEAWEEDFS_TOOLS_DIR/go.mod" "$SEAWEEDFS_TOOLS_DIR/go.sum" | sha256sum | cut -c1-12)/bin"
# Its S3 gateway, on the node's bridge address: host processes, the agent's pods and the kubelet's
# pods (CNI bridge) all reach it there. A fixed test key pair; the e2e install puts it in a Secret.
S3_PORT=8333
SEAWEEDFS_MASTER_PORT=9333
S3_ENDPOINT=${NODE_IP}:${S3_PORT}
S3_BUCKET=onexit-artifacts
S3_ACCESS_KEY=onexit-test-access
S3_SECRET_KEY=onexit-test-secret-key

# The pod sandbox image: the tag kubeadm uses for this Kubernetes version.
PAUSE_IMAGE=registry.k8s.io/pause:3.10.2
PAUSE_ARCHIVE="$ONEXIT_CACHE/pause-${PAUSE_IMAGE##*:}/pause.tar"
TOOLS_BIN_DIR="$ONEXIT_CACHE/bin"
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl onexit-launcher)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# Pid files hold "PID STARTTIME" (field 22 of /proc/PID/stat), so a pid reused by an
# unrelated process after a reboot or a crash is never mistaken for ours.
proc_start_time() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

write_pidfile() { echo "$2 $(proc_start_time "$2")" >"$1"; }

# pidfile_pid FILE: the pid recorded in FILE if that process still runs (not a zombie).
pidfile_pid() {
	local pid start
	[[ -f "$1" ]] || return 1
	read -r pid start <"$1" 2>/dev/null || return 1
	[[ -n "$pid" && -d "/proc/$pid" ]] || return 1
	[[ -z "$start" || "$(proc_start_time "$pid")" == "$start" ]] || return 1
	[[ "$(awk '/^State:/{print $2}' "/proc/$pid/status" 2>/dev/null)" != Z ]] || return 1
	echo "$pid"
}

pid_alive() { pidfile_pid "$1" >/dev/null; }

# Serialises up.sh and down.sh (two test runs starting the cluster at once).
lock_cluster() {
	mkdir -p "$(dirname "${ONEXIT_STATE%/}")"
	exec 9>"${ONEXIT_STATE%/}.lock"
	flock 9
}
