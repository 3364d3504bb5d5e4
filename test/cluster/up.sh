#!/usr/bin/env bash
# Starts the test cluster (idempotent): bridge onexit0, embedded etcd, kube-apiserver,
# kube-controller-manager, the artifact store (SeaweedFS `weed mini`, its S3 gateway on
# $S3_ENDPOINT with the bucket $S3_BUCKET) and its node: with ONEXIT_NODE=kubelet (the default) a real one
# (kubelet-node.sh: containerd, kubelet, kube-proxy, kube-scheduler, DNS), with
# ONEXIT_NODE=agent the TypeScript node agent that runs pods as host processes. All run as
# session leaders that outlive this script; pids and logs in $ONEXIT_STATE. Prints
# `export KUBECONFIG=...` on stdout.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=kubelet-node.sh
source "$(dirname "$0")/kubelet-node.sh"

[[ $(id -u) -eq 0 ]] || die "up.sh needs root (it creates a bridge, network namespaces and NAT rules)"

# Node 24 from the repo's devDependencies for the agent, our tools before the system's.
[[ -d "$REPO_ROOT/node_modules/.bin" ]] && PATH="$REPO_ROOT/node_modules/.bin:$PATH"
PATH="$TOOLS_BIN_DIR:$PATH"

PKI=$ONEXIT_STATE/pki
KUBECONFIG_FILE=$ONEXIT_STATE/kubeconfig
AGENT_MAIN=$REPO_ROOT/test/cluster/agent/main.ts
start_time=$(date +%s.%N)

kc() { "$K8S_BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

readyz() {
	curl -fsS --max-time 2 --cacert "$PKI/ca.crt" "$API_SERVER/readyz" >/dev/null 2>&1
}

node_ready() {
	[[ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls every 0.2 s.
wait_until() {
	local timeout=$1 what=$2
	shift 2
	local deadline=$((SECONDS + timeout))
	until "$@"; do
		if ((SECONDS >= deadline)); then
			log "timed out after ${timeout}s waiting for ${what}"
			return 1
		fi
		sleep 0.2
	done
}

# start NAME COMMAND...: runs COMMAND in its own session unless NAME is already running.
start() {
	local name=$1
	shift
	if pid_alive "$ONEXIT_STATE/$name.pid"; then
		return 0
	fi
	log "starting $name"
	# Every inherited descriptor above stderr is closed: a daemon that kept the caller's lock
	# file open (flock, make) would hold that lock for as long as the cluster runs.
	(
		cd "$REPO_ROOT" || exit 1
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec ${fd}>&-"
		done
		exec setsid "$@" >>"$ONEXIT_STATE/$name.log" 2>&1 </dev/null
	) &
	write_pidfile "$ONEXIT_STATE/$name.pid" $!
}

# port_free PORT NAME: dies when something else (another test cluster with a different
# ONEXIT_STATE in this network namespace?) already listens on PORT.
port_free() {
	pid_alive "$ONEXIT_STATE/$2.pid" && return 0
	if [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; then
		die "port $1 (for $2) is already in use: $(ss -Hltnp "sport = :$1" | head -1) (a cluster with another ONEXIT_STATE? stop it with its down.sh)"
	fi
}

# die_with_log NAME MESSAGE: shows the tail of NAME's log.
die_with_log() {
	log "$2; last lines of $ONEXIT_STATE/$1.log:"
	tail -n 30 "$ONEXIT_STATE/$1.log" >&2 || true
	exit 1
}

node_healthy() {
	if [[ $ONEXIT_NODE == kubelet ]]; then
		kubelet_node_healthy
	else
		[[ ! -f "$AGENT_MAIN" ]] || pid_alive "$ONEXIT_STATE/agent.pid"
	fi
}

# SeaweedFS answers a signed request for the bucket (so the bucket and the identity exist).
s3_ready() {
	[[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --aws-sigv4 "aws:amz:us-east-1:s3" \
		--user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "http://$S3_ENDPOINT/$S3_BUCKET?max-keys=1")" == 200 ]]
}

# The store's identities (SeaweedFS's s3.config): the test key pair, allowed everything.
start_seaweedfs() {
	local dir=$ONEXIT_STATE/seaweedfs
	mkdir -p "$dir/data"
	cat >"$dir/s3.json" <<-JSON
		{"identities": [{"name": "onexit-test",
		  "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
		  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
	JSON
	port_free "$S3_PORT" seaweedfs
	# Bound to the bridge address only; no telemetry, UI, WebDAV or table catalogs.
	start seaweedfs "$SEAWEEDFS_BIN_DIR/weed" mini -dir="$dir/data" -ip="$NODE_IP" -ip.bind="$NODE_IP" \
		-s3.port="$S3_PORT" -master.port="$SEAWEEDFS_MASTER_PORT" -s3.config="$dir/s3.json" -bucket="$S3_BUCKET" \
		-master.telemetry=false -admin.ui=false -webdav=false -s3.port.iceberg=0 -s3.port.lance=0
}

healthy() {
	pid_alive "$ONEXIT_STATE/seaweedfs.pid" &&
		pid_alive "$ONEXIT_STATE/etcd.pid" &&
		pid_alive "$ONEXIT_STATE/kube-apiserver.pid" &&
		pid_alive "$ONEXIT_STATE/kube-controller-manager.pid" &&
		node_healthy &&
		[[ -f "$KUBECONFIG_FILE" ]] && readyz
}

# One cluster has one kind of node: switching restarts it from scratch (the pods, the node
# object and the network state of the other kind would linger). Before lock_cluster, which
# down.sh takes too.
switch_node_kind() {
	local running
	running=$(cat "$ONEXIT_STATE/node-kind" 2>/dev/null) || return 0
	[[ -z "$running" || "$running" == "$ONEXIT_NODE" ]] && return 0
	log "the cluster in $ONEXIT_STATE runs ONEXIT_NODE=$running: restarting it with ONEXIT_NODE=$ONEXIT_NODE"
	bash "$CLUSTER_DIR/down.sh" || die "could not stop the $running cluster"
}

announce() {
	log "cluster ready ($(awk -v s="$start_time" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')s): kubectl and helm are in $TOOLS_BIN_DIR"
	echo "export KUBECONFIG=$KUBECONFIG_FILE"
}

setup_network() {
	ip link set lo up # down in a fresh network namespace; etcd listens on 127.0.0.1
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		log "creating bridge $BRIDGE ($BRIDGE_CIDR)"
		ip link add "$BRIDGE" type bridge
	fi
	if ! ip -4 addr show dev "$BRIDGE" | grep -q "inet $BRIDGE_CIDR"; then
		ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
	fi
	ip link set "$BRIDGE" up
	sysctl -qw net.ipv4.ip_forward=1
}

[[ $ONEXIT_NODE == kubelet || $ONEXIT_NODE == agent ]] || die "ONEXIT_NODE must be kubelet or agent, not '$ONEXIT_NODE'"
switch_node_kind
lock_cluster
if healthy; then
	log "cluster already running"
	[[ $ONEXIT_NODE == kubelet ]] && refresh_images
	announce
	exit 0
fi

# Build the tools if needed (make cluster-up has already done it; direct callers may not).
for b in "${K8S_BINARIES[@]}"; do
	[[ -x "$K8S_BIN_DIR/$b" ]] || {
		bash "$CLUSTER_DIR/build.sh"
		break
	}
done
[[ -x "$TOOLS_BIN_DIR/kubectl" && -x "$TOOLS_BIN_DIR/helm" ]] || bash "$CLUSTER_DIR/build.sh"

[[ $ONEXIT_NODE == agent || -f "$PAUSE_ARCHIVE" && -x "$CNI_BIN_DIR/bridge" ]] || bash "$CLUSTER_DIR/build.sh"
[[ -x "$SEAWEEDFS_BIN_DIR/weed" ]] || bash "$CLUSTER_DIR/build.sh"

mkdir -p "$ONEXIT_STATE"
echo "$ONEXIT_NODE" >"$ONEXIT_STATE/node-kind"
setup_network
"$K8S_BIN_DIR/onexit-launcher" pki --dir "$PKI" --server "$API_SERVER" --node-name "$NODE_NAME" --node-ip "$NODE_IP"
cp "$PKI/admin.kubeconfig" "$KUBECONFIG_FILE.tmp" && mv "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"

port_free "${ETCD_CLIENT_URL##*:}" etcd
port_free "$API_PORT" kube-apiserver
if [[ $ONEXIT_NODE == kubelet ]]; then
	port_free 10250 kubelet
	prepare_kubelet_node &
	node_prep=$!
fi
start_seaweedfs
start etcd "$K8S_BIN_DIR/onexit-launcher" etcd --data-dir "$ONEXIT_STATE/etcd" \
	--client-url "$ETCD_CLIENT_URL" --peer-url "$ETCD_PEER_URL"
etcd_ready() { curl -fsS --max-time 1 "$ETCD_CLIENT_URL/health" 2>/dev/null | grep -q '"health":"true"'; }
wait_until 60 etcd etcd_ready || die_with_log etcd "etcd did not start"

# The kubelet's serving certificate is signed by the cluster CA; the agent's is self-signed.
kubelet_ca_flag=()
[[ $ONEXIT_NODE == kubelet ]] && kubelet_ca_flag=(--kubelet-certificate-authority="$PKI/ca.crt")
start kube-apiserver "$K8S_BIN_DIR/kube-apiserver" \
	--etcd-servers="$ETCD_CLIENT_URL" \
	--bind-address="$NODE_IP" \
	--secure-port="$API_PORT" \
	--advertise-address="$NODE_IP" \
	--cert-dir="$ONEXIT_STATE/apiserver" \
	--tls-cert-file="$PKI/apiserver.crt" \
	--tls-private-key-file="$PKI/apiserver.key" \
	--client-ca-file="$PKI/ca.crt" \
	--kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
	--kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
	--kubelet-preferred-address-types=InternalIP \
	"${kubelet_ca_flag[@]}" \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--service-account-signing-key-file="$PKI/sa.key" \
	--service-account-key-file="$PKI/sa.pub" \
	--authorization-mode=Node,RBAC \
	--enable-admission-plugins=NodeRestriction,ServiceAccount,OwnerReferencesPermissionEnforcement,MutatingAdmissionWebhook,ValidatingAdmissionWebhook \
	--enable-aggregator-routing=true \
	--requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
	--requestheader-allowed-names=front-proxy-client \
	--requestheader-username-headers=X-Remote-User \
	--requestheader-group-headers=X-Remote-Group \
	--requestheader-extra-headers-prefix=X-Remote-Extra- \
	--proxy-client-cert-file="$PKI/front-proxy-client.crt" \
	--proxy-client-key-file="$PKI/front-proxy-client.key" \
	--service-cluster-ip-range="$SERVICE_CIDR" \
	--allow-privileged=true \
	--profiling=false \
	--shutdown-send-retry-after=true \
	--v=1
wait_until 90 kube-apiserver readyz || die_with_log kube-apiserver "kube-apiserver did not become ready"

controllers=(
	serviceaccount-controller root-ca-certificate-publisher-controller
	endpoints-controller endpointslice-controller endpointslice-mirroring-controller
	garbage-collector-controller namespace-controller
	deployment-controller replicaset-controller replicationcontroller-controller
	statefulset-controller daemonset-controller disruption-controller
	job-controller cronjob-controller ttl-after-finished-controller
	pod-garbage-collector-controller resourcequota-controller
	clusterrole-aggregation-controller service-cidr-controller
)
start kube-controller-manager "$K8S_BIN_DIR/kube-controller-manager" \
	--kubeconfig="$PKI/controller-manager.kubeconfig" \
	--authentication-kubeconfig="$PKI/controller-manager.kubeconfig" \
	--authorization-kubeconfig="$PKI/controller-manager.kubeconfig" \
	--bind-address=127.0.0.1 \
	--secure-port=10257 \
	--cert-dir="$ONEXIT_STATE/controller-manager" \
	--leader-elect=false \
	--use-service-account-credentials=true \
	--root-ca-file="$PKI/ca.crt" \
	--service-account-private-key-file="$PKI/sa.key" \
	--service-cluster-ip-range="$SERVICE_CIDR" \
	--controllers="$(
		IFS=,
		echo "${controllers[*]}"
	)" \
	--concurrent-gc-syncs=5 \
	--v=1

if [[ $ONEXIT_NODE == kubelet ]]; then
	start_kubelet_node "$node_prep"
elif [[ -f "$AGENT_MAIN" ]]; then
	start agent node "$AGENT_MAIN" \
		--kubeconfig "$KUBECONFIG_FILE" \
		--state-dir "$ONEXIT_STATE/agent" \
		--node-name "$NODE_NAME" \
		--node-ip "$NODE_IP" \
		--bridge "$BRIDGE" \
		--pod-cidr "$POD_CIDR" \
		--service-cidr "$SERVICE_CIDR" \
		--kubelet-port 10250 \
		--repo "$REPO_ROOT"
else
	log "WARNING: $AGENT_MAIN does not exist yet: no node agent, pods will stay Pending"
fi

default_sa() { kc get serviceaccount default -n default >/dev/null 2>&1; }
wait_until 60 "the default ServiceAccount" default_sa ||
	die_with_log kube-controller-manager "no default ServiceAccount (is the controller manager running?)"
if [[ $ONEXIT_NODE == kubelet ]]; then
	wait_until 120 "node $NODE_NAME Ready" node_ready || die_with_log kubelet "node $NODE_NAME is not Ready"
	# The kubelet registers with this taint; the node-lifecycle controller that would lift it
	# is not run (it would evict a slow test machine's pods).
	kc taint nodes "$NODE_NAME" node.kubernetes.io/not-ready:NoSchedule- >/dev/null 2>&1 || true
elif [[ -f "$AGENT_MAIN" ]]; then
	wait_until 60 "node $NODE_NAME Ready" node_ready || die_with_log agent "node $NODE_NAME is not Ready"
fi
pid_alive "$ONEXIT_STATE/kube-controller-manager.pid" ||
	die_with_log kube-controller-manager "kube-controller-manager exited"
wait_until 60 "SeaweedFS's S3 gateway on $S3_ENDPOINT" s3_ready || die_with_log seaweedfs "SeaweedFS did not serve bucket $S3_BUCKET"
# For the e2e install and `make demo`: the chart's artifactRepository and the credentials' Secret.
cat >"$ONEXIT_STATE/artifact-store.env" <<EOF
S3_ENDPOINT=$S3_ENDPOINT
S3_BUCKET=$S3_BUCKET
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
SEAWEEDFS_MASTER=$NODE_IP:$SEAWEEDFS_MASTER_PORT
EOF
announce
