#!/usr/bin/env bash
# Usage: bench/run.sh [--smoke] [--rows N] [--duration SECONDS] [--warm-up SECONDS]
#                     [--connections N] [--release DIR] [--ceiling DLL] [--output FILE]
#
# Benchmarks the published app with wrk and writes a Markdown table (default bench/results.md):
#   - the list page (100 rows) against the ceiling program (bench/Ceiling: raw Npgsql, hand-built
#     HTML, bare Kestrel), measured side by side A/B/A/B because absolute numbers drift;
#   - a page deep in the table (keyset link) against the first page;
#   - a logged-in edit form GET, and a create POST loop;
#   - the installed site through Apache against the same app direct, when `stuff setup` ran here;
#   - start to first response, idle and peak resident memory.
# Uses DATABASE_URL (postgres://...) when set, otherwise a throwaway PostgreSQL. THE DATABASE IS
# EMPTIED AND SEEDED. --smoke runs 1,000 rows for 2 s each, to prove the script works; it exits
# non-zero when any request failed.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/throwaway-postgres.sh
source "$ROOT/scripts/throwaway-postgres.sh"

ROWS=1000000
DURATION=10
WARM_UP=""
CONNECTIONS=32
ROUNDS=2
RELEASE=""
CEILING=""
OUTPUT="$ROOT/bench/results.md"
WORK=""
APP_PID=""
CEILING_PID=""
ERRORS=0
ROWS_MD=()

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

parse_args() {
  while (($#)); do
    case "$1" in
      --smoke) ROWS=1000; DURATION=2; ROUNDS=1 ;;
      --rows) ROWS="$2"; shift ;;
      --duration) DURATION="$2"; shift ;;
      --warm-up) WARM_UP="$2"; shift ;;
      --connections) CONNECTIONS="$2"; shift ;;
      --release) RELEASE="$2"; shift ;;
      --ceiling) CEILING="$2"; shift ;;
      --output) OUTPUT="$2"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
  done
  [[ "$ROWS" =~ ^[0-9]+$ && "$ROWS" -ge 300 ]] || die "--rows must be a number of at least 300"
  # Long enough for the JIT's second tier to replace the precompiled code on the hot path. It
  # compiles in the background, on the cores wrk and PostgreSQL are also using: on two cores the
  # app's requests/s still rose for 40 s of load (about 7,500 methods compiled), the ceiling's
  # much smaller program for less.
  WARM_UP="${WARM_UP:-$((DURATION < 5 ? DURATION : 60))}"
  [[ "$WARM_UP" =~ ^[0-9]+$ ]] || die "--warm-up must be a number of seconds"
}

cleanup() {
  [[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null
  [[ -n "$CEILING_PID" ]] && kill "$CEILING_PID" 2>/dev/null && wait "$CEILING_PID" 2>/dev/null
  stop_cluster
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  return 0
}

ensure_tools() {
  local tool package missing=()
  for tool in wrk:wrk psql:postgresql-client curl:curl; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  ((${#missing[@]} == 0)) && return
  [[ $EUID -eq 0 ]] || die "missing: ${missing[*]}; install with: sudo apt-get install ${missing[*]}"
  log "Installing ${missing[*]}"
  for package in "${missing[@]}"; do apt_install "$package"; done
}

build() {
  if [[ -z "$RELEASE" ]]; then
    log "Publishing the app (Release)"
    dotnet publish "$ROOT/src/Stuff" -c Release -r linux-x64 -o "$WORK/release" -nologo -v quiet -clp:ErrorsOnly >&2
    RELEASE="$WORK/release"
  fi
  if [[ -z "$CEILING" ]]; then
    log "Building the ceiling program"
    dotnet build "$ROOT/bench/Ceiling" -c Release -o "$WORK/ceiling" -nologo -v quiet -clp:ErrorsOnly >&2
    CEILING="$WORK/ceiling/ceiling.dll"
  fi
}

prepare_database() {
  if [[ -z "${DATABASE_URL:-}" ]]; then
    ensure_postgres
    start_cluster
    PGPASSWORD="$PG_PASSWORD" psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE stuff_bench"
    export DATABASE_URL="postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/stuff_bench"
  fi
  export STUFF_DATA_DIR="$WORK/data" ASPNETCORE_ENVIRONMENT=Production
  "$RELEASE/stuff" migrate >/dev/null
  log "Seeding $ROWS rows"
  psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<SQL
TRUNCATE stuff, "AspNetUsers" RESTART IDENTITY CASCADE;
INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version)
SELECT 'junk number ' || n, 'things about junk number ' || n || ', & <more>', n, now(), now(), 1
FROM generate_series(1, $ROWS) AS n;
VACUUM ANALYZE stuff;
SQL
  STUFF_SUPERUSER_PASSWORD="bench passphrase for wrk" "$RELEASE/stuff" createsuperuser --username bench --no-input >/dev/null
}

wait_for() {
  local url="$1" i
  for i in $(seq 1 600); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.05
  done
  die "$url did not answer within 30 s"
}

rss_mb() { awk -v key="$2:" '$1 == key { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

start_servers() {
  APP_PORT="$(free_port 5600)"
  local started
  started="$(date +%s%N)"
  "$RELEASE/stuff" serve --urls "http://127.0.0.1:$APP_PORT" >"$WORK/app.log" 2>&1 &
  APP_PID=$!
  wait_for "http://127.0.0.1:$APP_PORT/"
  STARTUP_MS=$((($(date +%s%N) - started) / 1000000))
  sleep 1
  IDLE_RSS="$(rss_mb "$APP_PID" VmRSS)"
  IDLE_ANON="$(rss_mb "$APP_PID" RssAnon)"

  CEILING_PORT="$(free_port 5700)"
  dotnet "$CEILING" "$DATABASE_URL" "http://127.0.0.1:$CEILING_PORT" >"$WORK/ceiling.log" 2>&1 &
  CEILING_PID=$!
  wait_for "http://127.0.0.1:$CEILING_PORT/"
}

# Logs in with curl and leaves the session cookie and a form token for the POST loop.
login() {
  local base="http://127.0.0.1:$APP_PORT" jar="$WORK/cookies" token
  token="$(curl -s -c "$jar" -b "$jar" "$base/account/login" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')"
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "Form.Username=bench" --data-urlencode "Form.Password=bench passphrase for wrk" \
    --data-urlencode "__RequestVerificationToken=$token" "$base/account/login"
  FORM_TOKEN="$(curl -s -c "$jar" -b "$jar" "$base/new" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')"
  # curl's jar marks HttpOnly cookies with a "#HttpOnly_" prefix; those are cookies, not comments.
  COOKIE="$(sed 's/^#HttpOnly_//' "$jar" | awk -F '\t' 'NF == 7 && $0 !~ /^#/ { printf "%s%s=%s", sep, $6, $7; sep = "; " }')"
  [[ "$COOKIE" == *stuff.auth* ]] || die "could not log in as the bench user"
}

# measure NAME TARGET URL [wrk args...]: one wrk run, one row of the table.
measure() {
  local name="$1" target="$2" url="$3"
  shift 3
  local out="$WORK/wrk.txt"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $name"; }
  local rps p50 p99 bad sock
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  p50="$(awk '$1 == "50%" { print $2 }' "$out")"
  p99="$(awk '$1 == "99%" { print $2 }' "$out")"
  bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
  sock="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")"
  local failures=$((${bad:-0} + ${sock:-0}))
  ERRORS=$((ERRORS + failures))
  LAST_RPS="$rps"
  LAST_P99="$p99"
  ROWS_MD+=("| $name | $target | $rps | $p50 | $p99 | $failures |")
  log "$name ($target): $rps req/s, p50 $p50, p99 $p99, failed $failures"
}

# Milliseconds from wrk's latency text (e.g. 850.00us, 4.21ms, 1.02s).
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# warm_up URL...: unrecorded load, so the JIT has compiled the hot paths before anything is measured.
warm_up() {
  local url
  for url in "$@"; do wrk -t2 -c"$CONNECTIONS" -d"${WARM_UP}s" "$url" >/dev/null 2>&1 || true; done
}

run_scenarios() {
  local app="http://127.0.0.1:$APP_PORT" ceiling="http://127.0.0.1:$CEILING_PORT" round
  local app_sum=0 ceiling_sum=0
  warm_up "$app/" "$ceiling/"
  for round in $(seq 1 "$ROUNDS"); do
    measure "List page 1 (100 rows), round $round" "app" "$app/"
    app_sum=$((app_sum + LAST_RPS))
    local first_p99="$LAST_P99"
    measure "List page 1 (100 rows), round $round" "ceiling" "$ceiling/"
    ceiling_sum=$((ceiling_sum + LAST_RPS))
  done
  RATIO="$(awk -v a="$app_sum" -v c="$ceiling_sum" 'BEGIN { printf "%.0f%%", 100 * a / c }')"

  local deep_after=$((ROWS - 150))
  measure "List page deep in $ROWS rows (?after=$deep_after)" "app" "$app/?after=$deep_after"
  DEEP_RATIO="$(awk -v d="$(to_ms "$LAST_P99")" -v f="$(to_ms "$first_p99")" 'BEGIN { printf "%.2f", d / f }')"
  measure "List page deep in $ROWS rows (?after=$deep_after)" "ceiling" "$ceiling/?after=$deep_after"

  measure "Edit form GET, logged in" "app" "$app/edit/$((ROWS / 2))" -H "Cookie: $COOKIE"
  BENCH_COOKIE="$COOKIE" BENCH_BODY="Form.Junk=bench+junk&Form.Things=bench+things&Form.SomeNum=7&__RequestVerificationToken=$FORM_TOKEN" \
    measure "Create POST loop (302 on success)" "app" "$app/new" -s "$ROOT/bench/post.lua"
  PEAK_RSS="$(rss_mb "$APP_PID" VmHWM)"

  APACHE_RATIO="not measured: no \`stuff setup\` on this machine"
  # The live release's slot port (setup links /opt/stuff/current to slots/PORT).
  local live
  live="$(basename "$(readlink /opt/stuff/current 2>/dev/null || echo 5080)")"
  if curl -skf -o /dev/null --resolve localhost:443:127.0.0.1 https://localhost/stuff/ && curl -sf -o /dev/null "http://127.0.0.1:$live/stuff/"; then
    warm_up "http://127.0.0.1:$live/stuff/" "https://localhost/stuff/"
    measure "Installed site, list page 1" "direct 127.0.0.1:$live" "http://127.0.0.1:$live/stuff/"
    local direct="$LAST_RPS"
    measure "Installed site, list page 1" "through Apache (HTTPS)" "https://localhost/stuff/"
    APACHE_RATIO="$(awk -v a="$LAST_RPS" -v d="$direct" 'BEGIN { printf "%.0f%%", 100 * a / d }')"
  fi
}

write_results() {
  local cpu memory
  cpu="$(awk -F: '/^model name/ { gsub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo)"
  memory="$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  mkdir -p "$(dirname "$OUTPUT")"
  {
    echo "# Benchmark results"
    echo
    echo "Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores ($cpu), $memory, Linux $(uname -r)."
    echo "wrk with 2 threads and $CONNECTIONS connections for ${DURATION} s per row, on the same machine as the app and PostgreSQL,"
    echo "so the load generator competes for the same cores. $ROWS rows in the table. Each target was warmed up first."
    echo "The \"installed site\" rows measure whatever \`stuff setup\` installed on this machine (its own database)."
    echo
    echo "| scenario | target | requests/s | p50 | p99 | failed |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${ROWS_MD[@]}"
    echo
    echo "| measure | result | target |"
    echo "| --- | --- | --- |"
    echo "| app / ceiling, list page 1 (sum over rounds, A/B/A/B) | $RATIO | at least 70% |"
    echo "| deep page p99 / first page p99 | ${DEEP_RATIO}x | at most 1.5x |"
    echo "| through Apache / direct | $APACHE_RATIO | at least 60% |"
    echo "| start to first response (published executable) | $STARTUP_MS ms | under 1500 ms |"
    echo "| idle resident memory | $IDLE_RSS MB | under 120 MB |"
    echo "| of which private (RssAnon; the rest is pages of the executable file, shared and reclaimable) | $IDLE_ANON MB | |"
    echo "| peak resident memory | $PEAK_RSS MB | |"
    echo "| failed requests | $ERRORS | 0 |"
  } >"$OUTPUT"
  log "Wrote $OUTPUT"
}

main() {
  parse_args "$@"
  WORK="$(mktemp -d /tmp/stuff-bench.XXXXXX)"
  trap cleanup EXIT
  ensure_tools
  build
  prepare_database
  start_servers
  login
  run_scenarios
  write_results
  ((ERRORS == 0)) || die "$ERRORS request(s) failed"
}

main "$@"
