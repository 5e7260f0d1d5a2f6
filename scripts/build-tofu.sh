#!/usr/bin/env bash
# Build OpenTofu from the Go module proxy into the git-ignored tools folder, once:
#
#   scripts/build-tofu.sh v1.12.6 tools/bin/tofu
#
# OpenTofu's module replaces github.com/hashicorp/hcl/v2 with its own fork, and replace
# directives of a dependency are ignored, so `go install ...@version` cannot build it. A small
# wrapper module that repeats the replace can. Takes about 5 minutes with a cold build cache.
set -euo pipefail

version=$1
out=$(realpath -m "$2")
mod=github.com/opentofu/opentofu

work=$(dirname "$out")/tofu-build
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"

modfile=$(go mod download -json "$mod@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
replace=$(grep -E '^replace github.com/hashicorp/hcl/v2 ' "$modfile")

cat >go.mod <<MOD
module tofu-build

go $(sed -n 's/^go //p' "$modfile")

require $mod $version

$replace
MOD
cat >tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
GO

GOFLAGS=-mod=mod go mod tidy
GOFLAGS=-mod=mod go build -trimpath -o "$out" \
  -ldflags "-s -w -X $mod/version.dev=no" "$mod/cmd/tofu"
"$out" version
