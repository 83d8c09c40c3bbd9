#!/usr/bin/env bash
# Usage: ./test.sh [dotnet test arguments...]
#
# Runs every test project against real services. As root on a fresh Debian machine it
# installs what is missing (PostgreSQL, Apache) with apt-get. It starts a throwaway PostgreSQL
# cluster on a free loopback port, runs the tests in Release, stops the cluster, and ends
# with one line: "N passed, N failed, N skipped".
#
# As root it also publishes the release and lets the deploy tests run `stuff setup` on this
# machine for real (Apache, the system PostgreSQL, /opt/stuff ...), with Apache held to
# loopback addresses. Not as root, those tests are skipped.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly OUT="$ROOT/.test-output"
readonly CONFIGURATION=Release

PG_BIN=""
PG_DIR=""
PG_USER=""

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

find_pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then PG_BIN="$dir"; fi
}

ensure_postgres() {
  find_pg_bin
  [[ -n "$PG_BIN" ]] && return
  [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; run as root to install it, or: sudo apt-get install postgresql"
  log "Installing PostgreSQL"
  apt_install postgresql
  find_pg_bin
  [[ -n "$PG_BIN" ]] || die "PostgreSQL was installed but initdb was not found under /usr/lib/postgresql"
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z "${APT_UPDATED:-}" ]]; then apt-get update -qq; APT_UPDATED=1; fi
  apt-get install -y -qq "$@" >/dev/null
}

# The deploy tests need Apache installed; on this test machine it listens on loopback only.
prepare_deploy() {
  [[ $EUID -eq 0 ]] || { log "Not root: the deploy tests (stuff setup on this machine) are skipped"; return; }
  if ! dpkg-query -W -f='${Status}' apache2 2>/dev/null | grep -q "install ok installed"; then
    log "Installing Apache"
    apt_install apache2
  fi
  sed -i -E 's/^(\s*)Listen (80|443)$/\1Listen 127.0.0.1:\2/' /etc/apache2/ports.conf
  log "Publishing the release for the deploy tests"
  dotnet publish src/Stuff -c "$CONFIGURATION" -r linux-x64 -o "$OUT/release" -nologo -v quiet -clp:ErrorsOnly >&2
  export STUFF_TEST_RELEASE="$OUT/release"
}

free_port() {
  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port between 55432 and 55532"
}

# initdb refuses to run as root, so as root the cluster belongs to the postgres user.
as_pg() {
  if [[ -n "$PG_USER" ]]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

start_cluster() {
  if [[ $EUID -eq 0 ]]; then
    PG_USER=postgres
    id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin "$PG_USER"
  fi
  PG_DIR="$(mktemp -d /tmp/stuff-test-pg.XXXXXX)"
  chmod 0755 "$PG_DIR"
  local password port
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  port="$(free_port)"
  printf '%s\n' "$password" >"$PG_DIR/pwfile"
  [[ -n "$PG_USER" ]] && chown -R "$PG_USER" "$PG_DIR"

  log "Starting a throwaway PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --pwfile="$PG_DIR/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$PG_DIR/pwfile"
  # Durability settings are off: this cluster is thrown away after the run.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }

  export STUFF_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password"
}

stop_cluster() {
  if [[ -n "$PG_DIR" && -d "$PG_DIR/data" ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

# Sums the counters of every TRX file; a project that wrote none counts as one failure.
summarize() {
  local passed=0 failed=0 skipped=0 total executed p f trx
  local expected="$1"
  local found=0
  for trx in "$OUT"/*.trx; do
    [[ -e "$trx" ]] || continue
    found=$((found + 1))
    local counters
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    total="$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")"
    executed="$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    skipped=$((skipped + ${total:-0} - ${executed:-0}))
  done
  if ((found < expected)); then failed=$((failed + expected - found)); fi
  echo "$passed passed, $failed failed, $skipped skipped"
  ((failed == 0))
}

main() {
  cd "$ROOT"
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed (dotnet is not on PATH)"
  ensure_postgres
  trap stop_cluster EXIT
  start_cluster

  rm -rf "$OUT"
  mkdir -p "$OUT"
  log "Building ($CONFIGURATION)"
  dotnet build Stuff.slnx -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly >&2
  prepare_deploy

  local projects=(tests/Stuff.Tests/Stuff.Tests.csproj)
  local project name status=0
  for project in "${projects[@]}"; do
    name="$(basename "$project" .csproj)"
    log "Testing $name"
    dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$OUT" "$@" >&2 || status=1
  done
  summarize "${#projects[@]}" || status=1
  return "$status"
}

main "$@"
