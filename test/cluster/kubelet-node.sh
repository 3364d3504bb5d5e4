# The real node of the test cluster (ONEXIT_NODE=kubelet): containerd + runc, the CNI bridge
# plugin on $BRIDGE, kubelet, kube-proxy (iptables), kube-scheduler and a DNS for Service
# names. Sourced by up.sh after the control plane is up; uses its start/wait_until/kc.
# shellcheck shell=bash

NODE_DIR=$ONEXIT_STATE/node
CONTAINERD_SOCK=$NODE_DIR/containerd/containerd.sock
# The pods' resolver: the launcher's DNS on the bridge address (no CoreDNS image offline).
CLUSTER_DNS=$NODE_IP

ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

write_containerd_config() {
	mkdir -p "$NODE_DIR/containerd" "$NODE_DIR/cni"
	# Root, state, sockets and runc's state are all under $NODE_DIR, so down.sh finds them
	# and a machine's own containerd (if any) is never touched.
	cat >"$NODE_DIR/containerd.toml" <<EOF
version = 2
root = "$NODE_DIR/containerd/root"
state = "$NODE_DIR/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The kubelet asks for -998 for sandboxes; lowering a score needs CAP_SYS_RESOURCE, which
  # sandboxed CI machines drop: scores are clamped at containerd's own instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$NODE_DIR/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$NODE_DIR/cni"
    max_conf_num = 1
EOF
	# Pods on the same bridge and addresses as the agent's: the API server reaches them
	# directly (webhooks are dialled at endpoint IPs), they reach it at $NODE_IP.
	cat >"$NODE_DIR/cni/10-onexit.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "onexit",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "hairpinMode": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NODE_DIR/cni-ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "rangeStart": "10.250.1.1", "rangeEnd": "10.250.255.254", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

write_kubelet_config() {
	local cgroup_v1=false
	[[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]] || cgroup_v1=true
	mkdir -p "$NODE_DIR/kubelet"
	cat >"$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
# Kubernetes 1.35+ refuses cgroup v1 unless told otherwise; this machine's type is checked.
failCgroupV1: $( [[ $cgroup_v1 == true ]] && echo false || echo true)
failSwapOn: false
clusterDNS: [$CLUSTER_DNS]
clusterDomain: cluster.local
resolvConf: ""
maxPods: 250
serializeImagePulls: false
# A shared test machine's disk and memory are never a reason to evict a test's pods.
evictionHard: { memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
shutdownGracePeriod: 0s
EOF
	cat >"$NODE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $PKI/kube-proxy.kubeconfig }
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# As the agent did: every Service connection is masqueraded, so a pod reaching a Service
# backed by a pod on the same bridge gets its replies through the host's conntrack.
iptables: { masqueradeAll: true }
conntrack: { maxPerCore: 0 }
EOF
}

containerd_ready() { ctr_ version >/dev/null 2>&1; }

# The images: test/cluster/images.sh builds onexit's image and the step stand-ins into
# $ONEXIT_CACHE/images (skipping unchanged ones, about 1 s); every archive written since the
# last import, and the pause image from build.sh, go into containerd's k8s.io namespace. Run
# at every up.sh, so a source change reaches the node's onexit image without a restart.
refresh_images() {
	[[ -f "$PAUSE_ARCHIVE" ]] || die "$PAUSE_ARCHIVE is missing (run test/cluster/build.sh)"
	if [[ -f "$CLUSTER_DIR/images.sh" ]]; then
		bash "$CLUSTER_DIR/images.sh" >/dev/null || die "test/cluster/images.sh failed"
	fi
	local stamp=$NODE_DIR/images.imported archive archives=()
	for archive in "$PAUSE_ARCHIVE" "$ONEXIT_CACHE"/images/*.tar; do
		[[ -f "$archive" && (! -f "$stamp" || "$archive" -nt "$stamp") ]] && archives+=("$archive")
	done
	((${#archives[@]})) || return 0
	touch "$stamp.new"
	for archive in "${archives[@]}"; do
		ctr_ images import "$archive" >/dev/null || die "could not import $archive into containerd"
	done
	mv "$stamp.new" "$stamp"
	log "imported ${#archives[@]} image archive(s): $(ctr_ images list -q | grep -v '^sha256:' | sed 's#^docker.io/library/##' | tr '\n' ' ')"
}

# No registry can be reached, so an image is either imported or missing: pulling is never
# right. Kubernetes pulls `:latest` and untagged images (Argo's examples' `alpine:latest`)
# by default ("Always"); this policy makes every pod's pull policy IfNotPresent (Never stays),
# as on a kind node whose images were loaded and whose registry is down.
apply_offline_image_policy() {
	local policy='c.?imagePullPolicy.orValue("") == "Never" ? "Never" : "IfNotPresent"'
	local containers="object.spec.containers.map(c, Object.spec.containers{name: c.name, imagePullPolicy: $policy})"
	local inits="has(object.spec.initContainers) ? object.spec.initContainers.map(c, Object.spec.initContainers{name: c.name, imagePullPolicy: $policy}) : []"
	kc apply --server-side --field-manager=onexit-test-cluster -f - >/dev/null <<EOF || die "could not apply the offline image policy"
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: { name: onexit-test-cluster-offline-images }
spec:
  failurePolicy: Fail
  reinvocationPolicy: IfNeeded
  matchConstraints:
    resourceRules:
    - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods] }
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: >-
        Object{spec: Object.spec{containers: ${containers}, initContainers: ${inits}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: { name: onexit-test-cluster-offline-images }
spec:
  policyName: onexit-test-cluster-offline-images
EOF
}

# containerd and its images, in the background while the control plane starts (the import
# takes longer than the API server).
prepare_kubelet_node() {
	write_containerd_config
	write_kubelet_config
	start containerd containerd --config "$NODE_DIR/containerd.toml"
	wait_until 30 containerd containerd_ready || die_with_log containerd "containerd did not start"
	refresh_images
}

# start_kubelet_node PID: the rest, once prepare_kubelet_node (PID) is done.
start_kubelet_node() {
	wait "$1" || die "the kubelet node's containerd or images failed (see above)"
	apply_offline_image_policy

	start kube-scheduler "$K8S_BIN_DIR/kube-scheduler" \
		--kubeconfig="$PKI/scheduler.kubeconfig" \
		--authentication-kubeconfig="$PKI/scheduler.kubeconfig" \
		--authorization-kubeconfig="$PKI/scheduler.kubeconfig" \
		--bind-address=127.0.0.1 --secure-port=10259 \
		--leader-elect=false --v=1
	start dns "$K8S_BIN_DIR/onexit-launcher" dns --kubeconfig "$KUBECONFIG_FILE" --listen "$CLUSTER_DNS:53"
	start kubelet "$K8S_BIN_DIR/kubelet" \
		--config="$NODE_DIR/kubelet.yaml" \
		--kubeconfig="$PKI/kubelet.kubeconfig" \
		--hostname-override="$NODE_NAME" \
		--node-ip="$NODE_IP" \
		--root-dir="$NODE_DIR/kubelet" \
		--cert-dir="$NODE_DIR/kubelet/pki" \
		--v=1
	start kube-proxy "$K8S_BIN_DIR/kube-proxy" --config="$NODE_DIR/kube-proxy.yaml" --v=1
}

kubelet_node_healthy() {
	local name
	for name in containerd kube-scheduler dns kubelet kube-proxy; do
		pid_alive "$ONEXIT_STATE/$name.pid" || return 1
	done
}
