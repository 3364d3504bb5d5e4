#!/usr/bin/env bash
# Regenerates the k8s.io replace directives of test/cluster/go.mod from the go.mod of
# k8s.io/kubernetes itself. That go.mod requires every staging module (k8s.io/api,
# k8s.io/client-go, ...) at v0.0.0 and replaces them with ./staging paths, which do not
# apply to a dependent module; each needs `replace k8s.io/X => k8s.io/X v0.<minor>.<patch>`.
#
# Usage: test/cluster/gen-replaces.sh [v1.37.2]   (then: go mod tidy)
set -euo pipefail
cd "$(dirname "$0")"

k8s_version=${1:-v1.37.2}
staging_version="v0.${k8s_version#v1.}"

gomod=$(go mod download -json "k8s.io/kubernetes@${k8s_version}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f "$gomod" ]] || { echo "gen-replaces: cannot find go.mod of k8s.io/kubernetes@${k8s_version}" >&2; exit 1; }

# Modules that kubernetes requires at v0.0.0 and replaces with a ./staging directory.
staged=$(sed -n 's#^[[:space:]]*\(k8s.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$gomod" | sort -u)
required=$(sed -n 's#^[[:space:]]*\(k8s.io/[^[:space:]]*\) v0\.0\.0\([[:space:]].*\)\{0,1\}$#\1#p' "$gomod" | sort -u)
mods=$(comm -12 <(echo "$staged") <(echo "$required"))
[[ -n "$mods" ]] || { echo "gen-replaces: no staging modules found in $gomod" >&2; exit 1; }

# Drop every existing k8s.io replace, then add one per staging module.
for old in $(go mod edit -json | sed -n '/"Replace"/,$p' | sed -n 's/^[[:space:]]*"Path": "\(k8s.io\/[^"]*\)",$/\1/p' | sort -u); do
	go mod edit -dropreplace="$old"
done
missing=()
n=0
for m in $mods; do
	if ! go list -m "${m}@${staging_version}" >/dev/null 2>&1; then
		missing+=("$m")
	fi
	go mod edit -replace="${m}=${m}@${staging_version}"
	n=$((n + 1))
done
go mod edit -require="k8s.io/kubernetes@${k8s_version}"
echo "gen-replaces: ${n} staging modules of k8s.io/kubernetes@${k8s_version} replaced at ${staging_version}"
if ((${#missing[@]})); then
	echo "gen-replaces: NOT served by the module proxy at ${staging_version}: ${missing[*]}" >&2
	exit 2
fi
