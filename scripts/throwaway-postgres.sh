# Shared by ./test.sh and bench/run.sh: apt installs as root, and a throwaway PostgreSQL
# cluster on a free loopback port (scram-sha-256, durability off). Source it; call
# start_cluster, and stop_cluster on exit. It exports STUFF_TEST_POSTGRES (an Npgsql
# connection string for the superuser) and PG_PORT / PG_PASSWORD.
# shellcheck shell=bash

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

PG_BIN=""
PG_DIR=""
PG_USER=""

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

# free_port [FIRST]: the first port from FIRST (default 55432) that nothing listens on.
free_port() {
  local port first="${1:-55432}"
  for port in $(seq "$first" $((first + 100))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port between $first and $((first + 100))"
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
  export PG_PORT="$port" PG_PASSWORD="$password"
}

stop_cluster() {
  if [[ -n "$PG_DIR" && -d "$PG_DIR/data" ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

