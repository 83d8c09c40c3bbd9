#!/usr/bin/env bash
# Adds a migration named NAME for both databases the site runs on (docs/decisions/0001): one
# build, then `dotnet ef migrations add` per provider into Data/Migrations/Sqlite and
# Data/Migrations/Postgres; then the compiled models the site starts with are made again from the
# changed model (scripts/compile-models.sh).
# Usage: scripts/add-migration.sh NAME   (e.g. AddBooks)
set -euo pipefail
cd "$(dirname "$0")/.."

name="${1:-}"
if [[ $# -ne 1 || ! "$name" =~ ^[A-Z][A-Za-z0-9]*$ ]]; then
  echo "usage: scripts/add-migration.sh NAME (a name such as AddBooks: a capital letter, then letters and digits)" >&2
  exit 2
fi
for provider in Sqlite Postgres; do
  if compgen -G "src/Stuff/Data/Migrations/$provider/*_$name.cs" >/dev/null; then
    echo "add-migration: a migration named $name exists already in Data/Migrations/$provider; nothing was added" >&2
    exit 1
  fi
done

dotnet tool restore >/dev/null
dotnet build src/Stuff --nologo -v quiet
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --no-build --project src/Stuff \
    --context "${provider}DbContext" --output-dir "Data/Migrations/$provider"
done
scripts/compile-models.sh --no-build
echo "Added $name to Data/Migrations/Sqlite and Data/Migrations/Postgres and made Data/CompiledModels again; read the migrations before you commit them."
