#!/usr/bin/env bash
# Usage: deploy/build-image.sh [--base IMAGE] [--tag NAME] [--engine podman|docker] [--release DIR]
#
# Builds the container image of this checkout (deploy/Containerfile) from a clean publish of the
# release, tagged with the release's version (src/Stuff/Stuff.csproj's <Version>), e.g.
# stuff:0.1.0, and labelled with the commit and repository it came from. Push it under the name
# the manifests use (deploy/kubernetes/*.yaml: registry.example.org/stuff:VERSION), e.g.
#
#   deploy/build-image.sh --tag registry.example.org/stuff && podman push registry.example.org/stuff:0.1.0
#
# --release takes an already published release (dotnet publish src/Stuff -c Release -r linux-x64)
# instead of publishing one. --base replaces Microsoft's runtime-deps image (the deploy tests use a local stand-in).
# --engine (or CONTAINER_ENGINE) picks the engine; podman by default, docker if podman is absent.
# Extra arguments for the engine's build (e.g. --network=none) go in BUILD_OPTIONS.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=""
name="stuff"
release=""
engine="${CONTAINER_ENGINE:-}"

die() { printf 'build-image: %s\n' "$*" >&2; exit 2; }

while (($#)); do
  case "$1" in
    --base) [[ $# -gt 1 ]] || die "--base needs an image"; base="$2"; shift 2 ;;
    --tag) [[ $# -gt 1 ]] || die "--tag needs a name"; name="$2"; shift 2 ;;
    --release) [[ $# -gt 1 ]] || die "--release needs a directory"; release="$2"; shift 2 ;;
    --engine) [[ $# -gt 1 ]] || die "--engine needs podman or docker"; engine="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
if [[ -z "$engine" ]]; then
  if command -v podman >/dev/null; then engine=podman; elif command -v docker >/dev/null; then engine=docker; else die "neither podman nor docker is installed"; fi
fi
[[ "$engine" == podman || "$engine" == docker ]] || die "--engine must be podman or docker, not $engine"
command -v "$engine" >/dev/null || die "$engine is not installed"
[[ "${name##*/}" != *:* ]] || die "--tag takes the name without a tag (the version is the tag): $name"

cd "$ROOT"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Stuff/Stuff.csproj | head -n 1)"
[[ -n "$version" ]] || die "src/Stuff/Stuff.csproj names no <Version>"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [[ "$revision" != unknown ]] && [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then revision="$revision-dirty"; fi
source="$(git remote get-url origin 2>/dev/null || true)"

# The build context: the release and nothing else.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
if [[ -n "$release" ]]; then
  [[ -x "$release/stuff" ]] || die "$release holds no published release (no executable named stuff)"
  cp -a "$release" "$context/release"
else
  printf '==> Publishing the release %s\n' "$version" >&2
  dotnet publish src/Stuff -c Release -r linux-x64 -o "$context/release" -nologo -v quiet -clp:ErrorsOnly >&2
fi

args=(build --file deploy/Containerfile --tag "$name:$version"
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source")
# podman writes OCI images by default, which have no HEALTHCHECK. The commit's time as every
# layer's and the image's time, not the build's.
if [[ "$engine" == podman ]]; then
  args+=(--format docker)
  if epoch="$(git log -1 --format=%ct 2>/dev/null)" && [[ -n "$epoch" ]]; then args+=(--timestamp "$epoch"); fi
fi
[[ -n "$base" ]] && args+=(--build-arg "BASE=$base")
# shellcheck disable=SC2206 # BUILD_OPTIONS is a list of words by design.
[[ -n "${BUILD_OPTIONS:-}" ]] && args+=(${BUILD_OPTIONS})
printf '==> Building %s:%s with %s\n' "$name" "$version" "$engine" >&2
"$engine" "${args[@]}" "$context" >&2
printf '%s:%s\n' "$name" "$version"
