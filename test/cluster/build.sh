#!/usr/bin/env bash
# Builds the test cluster's tools into $ONEXIT_CACHE (skipping what is already there):
#   $ONEXIT_CACHE/k8s-<version>-<hash>/bin/{kube-apiserver,kube-controller-manager,kube-scheduler,
#                                           kubelet,kube-proxy,kubectl,onexit-launcher}
#   $ONEXIT_CACHE/helm-<version>/bin/helm
#   $ONEXIT_CACHE/argo-<version>-<hash>/bin/argo  (the conformance tests' client), and with
#     ONEXIT_ARGO_PEER=1 (make bench) workflow-controller and argoexec too (the bench's peer);
#     never shipped or installed by the chart
#   $ONEXIT_CACHE/cni-<version>-<hash>/bin/{bridge,host-local,loopback,portmap}
#   $ONEXIT_CACHE/seaweedfs-<version>-<hash>/bin/weed   the artifact store (S3 gateway), test only
#   $ONEXIT_CACHE/pause-<version>/pause.tar   the pod sandbox image, from Kubernetes' pause.c
#   $ONEXIT_CACHE/bin/*  symlinks to the above (put it first in PATH)
# The Go builds run in parallel. Installs the Debian packages the cluster needs
# (iptables, iproute2, curl; containerd and runc for the kubelet node; gcc for pause.c).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_packages() {
	local missing=()
	command -v iptables >/dev/null 2>&1 || missing+=(iptables)
	command -v ip >/dev/null 2>&1 || missing+=(iproute2)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	[[ -x /usr/bin/time ]] || missing+=(time)
	command -v containerd >/dev/null 2>&1 || missing+=(containerd)
	command -v runc >/dev/null 2>&1 || missing+=(runc)
	command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
	((${#missing[@]})) || return 0
	if [[ $(id -u) -ne 0 ]]; then
		log "WARNING: missing packages ${missing[*]} (run as root to install them)"
		return 0
	fi
	log "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ldflags that stamp `kubectl version` / the API server's /version like a release build.
k8s_ldflags() {
	local minor=${K8S_VERSION#v1.}
	minor=${minor%%.*}
	local flags="-s -w" pkg
	for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
		flags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
		flags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	done
	echo "$flags"
}

build_k8s() {
	local b complete=1
	for b in "${K8S_BINARIES[@]}"; do [[ -x "$K8S_BIN_DIR/$b" ]] || complete=0; done
	if ((complete)); then
		log "k8s ${K8S_VERSION}: up to date in ${K8S_BIN_DIR}"
		return 0
	fi
	local out=${K8S_BIN_DIR}.tmp.$$
	rm -rf "$out"
	mkdir -p "$out"
	log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl ${K8S_VERSION} and onexit-launcher (cold: about 9 min on 2 cores, warm: under a minute)"
	local timer=()
	[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$out/build-time.txt")
	(
		cd "$CLUSTER_DIR"
		"${timer[@]}" go build -ldflags "$(k8s_ldflags)" -o "$out/" \
			k8s.io/kubernetes/cmd/kube-apiserver \
			k8s.io/kubernetes/cmd/kube-controller-manager \
			k8s.io/kubernetes/cmd/kube-scheduler \
			k8s.io/kubernetes/cmd/kubelet \
			k8s.io/kubernetes/cmd/kube-proxy \
			k8s.io/kubernetes/cmd/kubectl \
			./cmd/onexit-launcher
	) || {
		rm -rf "$out"
		die "go build failed"
	}
	if [[ -f "$out/build-time.txt" ]]; then
		log "build: $(grep -E 'Elapsed \(wall' "$out/build-time.txt" | sed 's/.*: //') wall," \
			"$(awk '/Maximum resident/{printf "%d MiB", $NF/1024}' "$out/build-time.txt") peak RSS of one process"
	fi
	rm -rf "$K8S_BIN_DIR"
	mkdir -p "$(dirname "$K8S_BIN_DIR")"
	mv "$out" "$K8S_BIN_DIR"
	# Older builds of the same tree are no longer referenced.
	local d
	for d in "$ONEXIT_CACHE"/k8s-*/; do
		d=${d%/}
		[[ "$d" == "$(dirname "$K8S_BIN_DIR")" ]] || rm -rf "$d"
	done
}

build_helm() {
	if [[ -x "$HELM_BIN_DIR/helm" ]]; then
		log "helm ${HELM_VERSION}: up to date in ${HELM_BIN_DIR}"
		return 0
	fi
	mkdir -p "$HELM_BIN_DIR"
	# A helm of exactly this version already installed on the machine is good enough.
	local existing
	existing=$(
		PATH=${PATH//"$TOOLS_BIN_DIR:"/}
		command -v helm 2>/dev/null || true
	)
	if [[ -n "$existing" ]] && [[ "$("$existing" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; then
		log "helm ${HELM_VERSION}: using ${existing}"
		ln -sfn "$existing" "$HELM_BIN_DIR/helm"
		return 0
	fi
	log "building helm ${HELM_VERSION}"
	local k8s_minor
	k8s_minor=$(cd "$REPO_ROOT/test/tools/helm" && go list -m -f '{{.Version}}' k8s.io/client-go)
	k8s_minor=${k8s_minor#v0.}
	k8s_minor=${k8s_minor%%.*}
	local ld="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
	local pkg
	for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
		ld+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${k8s_minor}"
	done
	(cd "$REPO_ROOT/test/tools/helm" && go build -ldflags "$ld" -o "$HELM_BIN_DIR/helm.tmp" helm.sh/helm/v3/cmd/helm) ||
		die "helm build failed"
	mv "$HELM_BIN_DIR/helm.tmp" "$HELM_BIN_DIR/helm"
}

# Argo's module zip lacks two files of its git tree: ui/dist/app (the UI bundle, built by npm
# in Argo's release and embedded by ui/embed.go) and workflow/executor/osspecific/signal_linux.go
# (a git symlink to signal_darwin.go, which zips drop). So the build uses a copy of the module
# with both filled in, named by a `replace` in a copy of test/tools/argo/go.mod (the copy in
# the repo stays clean and keeps pinning every dependency through its go.sum).
# The chain stops at the first failure (set -e does not act in a function called before ||).
argo_source() {
	local work=$1 module_dir
	module_dir=$(cd "$ARGO_TOOLS_DIR" && go mod download -json "$ARGO_MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') &&
		[[ -d "$module_dir" ]] &&
		cp -r "$module_dir" "$work/src" &&
		chmod -R u+w "$work/src" &&
		mkdir -p "$work/src/ui/dist/app" &&
		echo '<!doctype html><title>Argo UI not built (onexit test tool)</title>' >"$work/src/ui/dist/app/index.html" &&
		ln -s signal_darwin.go "$work/src/workflow/executor/osspecific/signal_linux.go" &&
		cp "$ARGO_TOOLS_DIR/go.mod" "$ARGO_TOOLS_DIR/go.sum" "$work/mod/" &&
		go mod edit -replace="$ARGO_MODULE=$work/src" "$work/mod/go.mod"
}

build_argo() {
	local b missing=()
	for b in "${ARGO_BINARIES[@]}"; do [[ -x "$ARGO_BIN_DIR/$b" ]] || missing+=("$b"); done
	if ((${#missing[@]} == 0)); then
		log "argo ${ARGO_VERSION} (${ARGO_BINARIES[*]}): up to date in ${ARGO_BIN_DIR}"
		return 0
	fi
	local work=${ARGO_BIN_DIR%/bin}.tmp.$$
	rm -rf "$work"
	mkdir -p "$work/bin" "$work/mod"
	log "building ${missing[*]} ${ARGO_VERSION} (cold: about 15 CPU-minutes for all three, so 8 min on 2 idle cores)"
	argo_source "$work" || {
		rm -rf "$work"
		die "argo: could not prepare the module copy in $work"
	}
	local ld="-s -w" date
	date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	for b in "version=${ARGO_VERSION}" "gitTag=${ARGO_VERSION}" gitTreeState=clean "buildDate=${date}"; do
		ld+=" -X ${ARGO_MODULE}.${b}"
	done
	local timer=()
	[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$work/build-time.txt")
	# -trimpath: the copy's path (which changes per build) stays out of the binaries.
	(
		cd "$ARGO_TOOLS_DIR"
		CGO_ENABLED=0 "${timer[@]}" go build -modfile="$work/mod/go.mod" -trimpath -ldflags "$ld" -o "$work/bin/" \
			"${missing[@]/#/$ARGO_MODULE/cmd/}"
	) || {
		rm -rf "$work"
		die "argo: go build failed"
	}
	if [[ -f "$work/build-time.txt" ]]; then
		log "argo build: $(grep -E 'Elapsed \(wall' "$work/build-time.txt" | sed 's/.*: //') wall," \
			"$(awk '/Maximum resident/{printf "%d MiB", $NF/1024}' "$work/build-time.txt") peak RSS of one process"
		mv "$work/build-time.txt" "$work/bin/"
	fi
	rm -rf "$work/src" "$work/mod"
	# The binaries built before (the CLI, when the bench asks for the peer later) are kept.
	for b in "$ARGO_BIN_DIR"/*; do
		if [[ -e "$b" && ! -e "$work/bin/${b##*/}" ]]; then cp -p "$b" "$work/bin/"; fi
	done
	local dir=${ARGO_BIN_DIR%/bin}
	rm -rf "$dir"
	mv "$work" "$dir"
	# Older builds (another version or go.sum) are no longer referenced.
	local d
	for d in "$ONEXIT_CACHE"/argo-*/; do
		d=${d%/}
		[[ "$d" == "$dir" || "$d" == *.tmp.* ]] || rm -rf "$d"
	done
}

build_cni() {
	local p complete=1
	for p in "${CNI_PLUGINS[@]}"; do [[ -x "$CNI_BIN_DIR/$p" ]] || complete=0; done
	if ((complete)); then
		log "CNI plugins ${CNI_VERSION}: up to date in ${CNI_BIN_DIR}"
		return 0
	fi
	log "building CNI plugins ${CNI_VERSION}: ${CNI_PLUGINS[*]}"
	local out=${CNI_BIN_DIR}.tmp.$$
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$CNI_MODULE_DIR" && CGO_ENABLED=0 go build -ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=${CNI_VERSION}" -o "$out/" tool) || {
		rm -rf "$out"
		die "CNI plugins build failed"
	}
	rm -rf "$CNI_BIN_DIR"
	mv "$out" "$CNI_BIN_DIR"
	local d
	for d in "$ONEXIT_CACHE"/cni-*/; do
		d=${d%/}
		[[ "$d" == "$(dirname "$CNI_BIN_DIR")" ]] || rm -rf "$d"
	done
}

# SeaweedFS's module zip builds as it is (its embedded UI files are in the zip); its one `replace`
# (go-bip39) is repeated in test/tools/seaweedfs/go.mod, since a dependency's replaces do not apply.
build_seaweedfs() {
	if [[ -x "$SEAWEEDFS_BIN_DIR/weed" ]]; then
		log "SeaweedFS ${SEAWEEDFS_VERSION}: up to date in ${SEAWEEDFS_BIN_DIR}"
		return 0
	fi
	log "building SeaweedFS weed ${SEAWEEDFS_VERSION} (cold: about 17 CPU-minutes with nothing cached, so 9 min on 2 idle cores)"
	local out=${SEAWEEDFS_BIN_DIR}.tmp.$$
	rm -rf "$out"
	mkdir -p "$out"
	local timer=()
	[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$out/build-time.txt")
	(cd "$SEAWEEDFS_TOOLS_DIR" && CGO_ENABLED=0 "${timer[@]}" go build -trimpath -ldflags "-s -w" -o "$out/" "$SEAWEEDFS_MODULE/weed") || {
		rm -rf "$out"
		die "SeaweedFS build failed"
	}
	if [[ -f "$out/build-time.txt" ]]; then
		log "SeaweedFS build: $(grep -E 'Elapsed \(wall' "$out/build-time.txt" | sed 's/.*: //') wall," \
			"$(awk '/User time/{u=$NF} /System time/{s=$NF} END{printf "%.0f CPU-s", u+s}' "$out/build-time.txt")"
	fi
	rm -rf "$SEAWEEDFS_BIN_DIR"
	mkdir -p "$(dirname "$SEAWEEDFS_BIN_DIR")"
	mv "$out" "$SEAWEEDFS_BIN_DIR"
	local d
	for d in "$ONEXIT_CACHE"/seaweedfs-*/; do
		d=${d%/}
		[[ "$d" == "$(dirname "$SEAWEEDFS_BIN_DIR")" || "$d" == *.tmp.* ]] || rm -rf "$d"
	done
}

# The pod sandbox image, made from Kubernetes' own pause.c (in the module already downloaded),
# since no registry can be reached.
build_pause() {
	[[ -f "$PAUSE_ARCHIVE" ]] && return 0
	log "building ${PAUSE_IMAGE} from k8s.io/kubernetes ${K8S_VERSION} build/pause/linux/pause.c"
	local src tmp
	src=$(cd "$CLUSTER_DIR" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c
	tmp=$(mktemp -d)
	gcc -Os -static -Wall -DVERSION="${PAUSE_IMAGE##*:}-onexit" -o "$tmp/pause" "$src" || die "gcc pause.c failed"
	mkdir -p "$(dirname "$PAUSE_ARCHIVE")"
	"$K8S_BIN_DIR/onexit-launcher" image --name "$PAUSE_IMAGE" --entrypoint /pause \
		--file "pause=$tmp/pause" --out "$PAUSE_ARCHIVE" || die "pause image failed"
	rm -rf "$tmp"
}

link_tools() {
	mkdir -p "$TOOLS_BIN_DIR"
	local b
	for b in "${K8S_BINARIES[@]}"; do ln -sfn "$K8S_BIN_DIR/$b" "$TOOLS_BIN_DIR/$b"; done
	ln -sfn "$HELM_BIN_DIR/helm" "$TOOLS_BIN_DIR/helm"
	ln -sfn "$SEAWEEDFS_BIN_DIR/weed" "$TOOLS_BIN_DIR/weed"
	for b in "${ARGO_BINARIES[@]}"; do ln -sfn "$ARGO_BIN_DIR/$b" "$TOOLS_BIN_DIR/$b"; done
}

# Runs the builds as background jobs, then waits for each: one failure fails the script.
build_all() {
	local pids=() names=() i failed=()
	build_k8s &
	pids+=($!) names+=(k8s)
	build_helm &
	pids+=($!) names+=(helm)
	build_cni &
	pids+=($!) names+=(cni)
	# Argo (a test client and bench peer) beside Kubernetes: when both are cold, two long go
	# builds keep 2 cores busier than one after the other; a cached one is a no-op.
	build_argo &
	pids+=($!) names+=(argo)
	build_seaweedfs &
	pids+=($!) names+=(seaweedfs)
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || failed+=("${names[$i]}")
	done
	((${#failed[@]} == 0)) || die "build failed: ${failed[*]} (see above)"
}

# Go's own installer puts it in /usr/local/go, which a non-login shell may not have on PATH.
command -v go >/dev/null 2>&1 || [ ! -x /usr/local/go/bin/go ] || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null 2>&1 || die "go is not installed (need Go >= $(sed -n 's/^go //p' "$CLUSTER_DIR/go.mod"))"
ensure_packages
build_all
build_pause
link_tools
log "tools ready in ${TOOLS_BIN_DIR}: $(cd "$TOOLS_BIN_DIR" && echo *)"
