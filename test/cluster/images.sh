#!/usr/bin/env bash
# onexit's image and the step stand-ins (alpine/busybox, bash, node, curl), built offline with buildah
# from the Dockerfile's recipe and Debian packages into $ONEXIT_CACHE/images/*.tar, one docker
# archive per reference for `ctr -n k8s.io images import`. Prints the references. Skips every
# image whose inputs did not change. Logic: test/cluster/images/main.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
export ONEXIT_CACHE=${ONEXIT_CACHE:-$HOME/.cache/onexit}
export PATH="$PWD/node_modules/.bin:$PATH"
umask 022

missing=()
command -v buildah >/dev/null || missing+=(buildah)
[[ -x /bin/busybox ]] && /bin/busybox --list-full >/dev/null 2>&1 || missing+=(busybox-static)
[[ -x /bin/bash-static ]] || missing+=(bash-static)
[[ -x /usr/bin/curl ]] || missing+=(curl)
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)
if ((${#missing[@]} > 0)); then
  echo "images: installing ${missing[*]} (Debian)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

mkdir -p "$ONEXIT_CACHE/image-build"
# One build at a time (up.sh and `make image` may run together).
exec 9>"$ONEXIT_CACHE/image-build/lock"
flock 9
node test/cluster/images/main.ts
