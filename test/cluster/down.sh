#!/usr/bin/env bash
# Stops the test cluster and removes everything up.sh and its node made: processes (the
# node first), containers and their cgroups, network namespaces onexit-* and cni-*,
# iptables chains ONEXIT-*, KUBE-* and CNI-* and the jumps to them, the bridge, leftover
# veths, mounts and $ONEXIT_STATE. Idempotent.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[[ $(id -u) -eq 0 ]] || die "down.sh needs root"

# pids of every process in the session led by the pid in FILE (the pid itself included).
session_pids() {
	local sid
	sid=$(pidfile_pid "$1") || return 0
	ps -eo pid=,sid=,stat= | awk -v s="$sid" '$2 == s && $3 !~ /^Z/ {print $1}'
}

# stop NAME GRACE: SIGTERM to NAME's session, wait up to GRACE seconds, then SIGKILL.
stop() {
	local name=$1 grace=$2 pidfile=$ONEXIT_STATE/$1.pid pids
	[[ -f "$pidfile" ]] || return 0
	pids=$(session_pids "$pidfile")
	if [[ -n "$pids" ]]; then
		log "stopping $name"
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null
		local deadline=$((SECONDS + grace))
		while [[ -n "$(session_pids "$pidfile")" ]] && ((SECONDS < deadline)); do sleep 0.1; done
		pids=$(session_pids "$pidfile")
		if [[ -n "$pids" ]]; then
			log "$name did not stop within ${grace}s, killing it"
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
			sleep 0.2
		fi
	fi
	rm -f "$pidfile"
}

# kill_cgroup_tree NAME: kills every process in the cgroup NAME of each v1 hierarchy (or the
# v2 tree), then removes the cgroups bottom up. The kubelet's pods live in "kubepods".
kill_cgroup_tree() {
	local dirs=() d
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do [[ -d "$d" ]] && dirs+=("$d"); done
	((${#dirs[@]})) || return 0
	local pids
	pids=$(find "${dirs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | tr '\n' ' ')
	if [[ -n "${pids// /}" ]]; then
		log "killing container processes: $pids"
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null
		sleep 0.3
	fi
	for d in "${dirs[@]}"; do
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || log "WARNING: could not remove cgroup $d"
	done
}

# The kubelet node: the kubelet first (it would restart what is killed), then the pods'
# processes, the shims (they name containerd's socket under $ONEXIT_STATE) and containerd.
stop_kubelet_node() {
	stop kubelet 15
	stop kube-proxy 10
	stop kube-scheduler 10
	stop dns 5
	kill_cgroup_tree kubepods
	local pid
	for pid in $(ps -eo pid=,args= | awk -v d="$ONEXIT_STATE/" '/containerd-shim/ && index($0, d) {print $1}'); do
		kill -KILL "$pid" 2>/dev/null
	done
	stop containerd 15
	# kube-proxy's own cleanup of its chains (the generic loop below takes what remains).
	if [[ -x "$K8S_BIN_DIR/kube-proxy" ]]; then
		"$K8S_BIN_DIR/kube-proxy" --cleanup >/dev/null 2>&1 || true
	fi
	# The CRI plugin's pod network namespaces and libcni's cache of our network.
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-'); do
		ip netns delete "$ns" 2>/dev/null || log "WARNING: could not delete netns $ns"
	done
	rm -f /var/lib/cni/results/onexit-* 2>/dev/null
	rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null
	# Shim sockets of containerd 1.x live in /run/containerd/s whatever the config says.
	pgrep -x containerd >/dev/null || rm -rf /run/containerd/s
	rmdir /run/containerd 2>/dev/null
	return 0
}

lock_cluster

# The node first, so it can stop its pods; then the control plane, top down.
stop agent 20
stop_kubelet_node
stop kube-controller-manager 10
stop kube-apiserver 15
stop etcd 10
stop seaweedfs 10

# Processes of ours whose pid file is lost: every one names the state directory. The program
# (argv[0], or the script node runs) decides, not a word anywhere in the arguments: a
# `tail -f $ONEXIT_STATE/kubelet.log` or a script waiting for the cluster's lock is not ours.
leftover_program() {
	local args
	mapfile -d '' -t args <"/proc/$1/cmdline" 2>/dev/null || return 1
	[[ ${args[0]##*/} =~ ^(kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|containerd|onexit-launcher|weed)$ ]] ||
		[[ ${args[0]##*/} == node && ${args[1]:-} == */agent/main.ts ]]
}
for pid in $(ps -eo pid=,args= | awk -v d="$ONEXIT_STATE/" 'index($0, d) {print $1}'); do
	[[ $pid == "$$" || $pid == "$BASHPID" || $pid == "$PPID" ]] && continue
	if leftover_program "$pid"; then
		log "killing leftover process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-100)"
		kill -KILL "$pid" 2>/dev/null
	fi
done

# Whatever still runs inside a pod's network namespace is a leftover pod process.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^onexit-'); do
	pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
	if [[ -n "${pids// /}" ]]; then
		log "killing leftover processes in netns $ns: $pids"
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null
		sleep 0.1
	fi
	ip netns delete "$ns" 2>/dev/null || log "WARNING: could not delete netns $ns"
done

# iptables: drop the jumps into ONEXIT-* (agent), KUBE-* (kubelet, kube-proxy) and CNI-*
# (portmap) chains from other chains, then the chains.
for ipt in iptables ip6tables; do
	command -v "$ipt" >/dev/null 2>&1 || continue
	for table in nat filter mangle raw; do
		rules=$("$ipt" -w -t "$table" -S 2>/dev/null) || continue
		while IFS= read -r rule; do
			[[ -n "$rule" ]] || continue
			# -S quotes arguments the way a shell reads them (comments with spaces).
			eval "$ipt -w -t $table -D ${rule#-A }" 2>/dev/null
		done < <(grep -E '^-A ' <<<"$rules" | grep -vE '^-A (ONEXIT|KUBE|CNI)-' | grep -E -- '-[jg] (ONEXIT|KUBE|CNI)-')
		chains=$(grep -oE '^-N (ONEXIT|KUBE|CNI)-[^ ]+' <<<"$rules" | cut -d' ' -f2)
		for c in $chains; do "$ipt" -w -t "$table" -F "$c" 2>/dev/null; done
		for c in $chains; do "$ipt" -w -t "$table" -X "$c" 2>/dev/null || log "WARNING: could not delete $ipt $table chain $c"; done
	done
done

# Links: veths the agent (ox*, veth-onexit*) and the CNI bridge plugin (veth* on the bridge) made, and the bridge.
for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^(ox|veth-onexit)') \
	$(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
	ip link delete "$link" 2>/dev/null
done
if ip link show "$BRIDGE" >/dev/null 2>&1; then
	log "deleting bridge $BRIDGE"
	ip link delete "$BRIDGE"
fi

# Mounts the agent may have left under the state directory, then the directory itself.
if [[ -d "$ONEXIT_STATE" ]]; then
	findmnt -rn -o TARGET 2>/dev/null | grep -E "^${ONEXIT_STATE}(/|$)" | sort -r | while IFS= read -r m; do
		umount -l "$m" 2>/dev/null || log "WARNING: could not unmount $m"
	done
	rm -rf --one-file-system "$ONEXIT_STATE"
fi
log "cluster down"
