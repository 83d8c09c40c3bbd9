#!/usr/bin/env bash
# Usage: scripts/compile-models.sh [--no-build]
#
# Makes the compiled models again (src/Stuff/Data/CompiledModels/Sqlite and .../Postgres) with
# `dotnet ef dbcontext optimize`, from the model as the code declares it now. The site starts
# from them instead of building its model at start-up; a test fails while they are out of step
# with the code. scripts/add-migration.sh runs this after adding a migration; run it yourself
# after a change to the model that needs no migration.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PROVIDERS=(Sqlite Postgres)

die() { printf 'compile-models: %s\n' "$*" >&2; exit 2; }

main() {
  local build=1 provider
  case "${1:-}" in
    "") ;;
    --no-build) build=0 ;;
    *) die "unknown argument '$1'; usage: scripts/compile-models.sh [--no-build]" ;;
  esac
  cd "$ROOT"
  dotnet tool restore >/dev/null
  ((build == 0)) || dotnet build src/Stuff --nologo -v quiet
  for provider in "${PROVIDERS[@]}"; do
    # The old files go first, so none of an entity that no longer exists is left over.
    rm -rf "src/Stuff/Data/CompiledModels/$provider"
    dotnet ef dbcontext optimize --no-build --project src/Stuff --context "${provider}DbContext" \
      --output-dir "Data/CompiledModels/$provider" --namespace "Stuff.Data.CompiledModels.$provider" >/dev/null
  done
  echo "Made src/Stuff/Data/CompiledModels/Sqlite and .../Postgres from the model."
}

main "$@"
