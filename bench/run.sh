#!/usr/bin/env bash
# Usage: bench/run.sh [--smoke] [--server] [--profile] [--rows N] [--realistic-rows N] [--rounds N]
#                     [--duration SECONDS] [--warm-up SECONDS] [--connections N] [--starts N]
#                     [--release DIR] [--ceiling DLL] [--output FILE]
#
# Benchmarks the published app with wrk and writes a Markdown report (default bench/results.md)
# that names the commit it measured and the machine, and sets every target beside its figure:
#   - the list page (100 rows) against the ceiling program (bench/Ceiling: raw Npgsql, hand-built
#     HTML, bare Kestrel), side by side A/B in --rounds rounds (default 3): the median of the
#     rounds' ratios and their spread, for short rows (--rows, default 1,000,000) and for
#     realistic rows (--realistic-rows, default 10,000: text of 100-200 characters that needs
#     HTML encoding);
#   - a page deep in the table (keyset link) against the first page, in rounds;
#   - a logged-in edit form GET, and a create POST loop;
#   - start to first response (--starts starts, default 5), idle and peak memory (RSS, PSS and
#     private dirty), and what the runtime's GC settings change of memory and speed;
#   - --profile: where the app's time goes under load (perf, by assembly and by method);
#   - --server: a disposable systemd server (deploy/local-server.sh, needs root) where `stuff
#     setup` ran: through Apache against direct, the whole server's PSS idle and during an
#     upgrade under load, and kill -9 to serving again.
# Uses DATABASE_URL (postgres://...) when set, otherwise a throwaway PostgreSQL. THE DATABASE IS
# EMPTIED AND SEEDED. --smoke runs 1,000 rows, 1 round of 2 s each, to prove the script works; it
# exits non-zero when any request failed.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/throwaway-postgres.sh
source "$ROOT/scripts/throwaway-postgres.sh"

# The runtime settings the memory table compares with the app as shipped, one per row.
readonly MEMORY_SETTINGS=(
  "DOTNET_GCgen0size=0x400000"
  "DOTNET_GCConserveMemory=7"
  "DOTNET_GCHeapHardLimit=0x6000000"
  "DOTNET_gcConcurrent=0"
  "DOTNET_gcServer=1"
)

ROWS=1000000
REALISTIC_ROWS=10000
DURATION=10
WARM_UP=""
CONNECTIONS=32
ROUNDS=3
STARTS=5
SERVER=0
PROFILE=0
RELEASE=""
CEILING=""
OUTPUT="$ROOT/bench/results.md"
WORK=""
APP_PID=""
CEILING_PID=""
SAMPLER_PID=""
SERVER_STARTED=0
ERRORS=0
ROWS_MD=()
TARGETS_MD=()
SETTINGS_MD=()
PROFILE_MD=()
SERVER_MD=()
PROFILE_TOP=()

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

parse_args() {
  while (($#)); do
    case "$1" in
      --smoke) ROWS=1000; REALISTIC_ROWS=300; DURATION=2; ROUNDS=1; STARTS=1 ;;
      --server) SERVER=1 ;;
      --profile) PROFILE=1 ;;
      --rows) ROWS="$2"; shift ;;
      --realistic-rows) REALISTIC_ROWS="$2"; shift ;;
      --rounds) ROUNDS="$2"; shift ;;
      --duration) DURATION="$2"; shift ;;
      --warm-up) WARM_UP="$2"; shift ;;
      --connections) CONNECTIONS="$2"; shift ;;
      --starts) STARTS="$2"; shift ;;
      --release) RELEASE="$2"; shift ;;
      --ceiling) CEILING="$2"; shift ;;
      --output) OUTPUT="$2"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
  done
  [[ "$ROWS" =~ ^[0-9]+$ && "$ROWS" -ge 300 ]] || die "--rows must be a number of at least 300"
  [[ "$REALISTIC_ROWS" =~ ^[0-9]+$ && "$REALISTIC_ROWS" -ge 101 ]] || die "--realistic-rows must be a number of at least 101"
  local option
  for option in ROUNDS DURATION CONNECTIONS STARTS; do
    [[ "${!option}" =~ ^[1-9][0-9]*$ ]] || die "--${option,,} must be a whole number of at least 1"
  done
  # Long enough for the JIT's second tier to replace the precompiled code on the hot path. It
  # compiles in the background, on the cores wrk and PostgreSQL are also using: on two cores the
  # app's requests/s still rose for 40 s of load (about 7,500 methods compiled), the ceiling's
  # much smaller program for less.
  WARM_UP="${WARM_UP:-$((DURATION < 5 ? DURATION : 60))}"
  [[ "$WARM_UP" =~ ^[0-9]+$ ]] || die "--warm-up must be a number of seconds"
  if ((SERVER)); then
    [[ $EUID -eq 0 ]] || die "--server boots a disposable machine and needs root"
  fi
}

cleanup() {
  stop_pid "$SAMPLER_PID"
  stop_pid "$APP_PID"
  stop_pid "$CEILING_PID"
  ((SERVER_STARTED)) && "$ROOT/deploy/local-server.sh" stop >/dev/null 2>&1
  stop_cluster
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  return 0
}

# Stops a process this script started and waits for it (its exit status, a signal's, is no failure).
stop_pid() { if [[ -n "${1:-}" ]]; then kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; fi; }

ensure_tools() {
  local tool missing=()
  for tool in wrk:wrk psql:postgresql-client curl:curl; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  ((PROFILE)) && ! command -v perf >/dev/null && missing+=(linux-perf)
  ((SERVER)) && ! command -v systemd-nspawn >/dev/null && missing+=(systemd-container)
  ((SERVER)) && ! command -v mmdebstrap >/dev/null && missing+=(mmdebstrap)
  ((${#missing[@]} == 0)) && return
  [[ $EUID -eq 0 ]] || die "missing: ${missing[*]}; install with: sudo apt-get install ${missing[*]}"
  log "Installing ${missing[*]}"
  apt_install "${missing[@]}"
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
  psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c 'TRUNCATE stuff, "AspNetUsers" RESTART IDENTITY CASCADE' >/dev/null
  STUFF_SUPERUSER_PASSWORD="bench passphrase for wrk" "$RELEASE/stuff" createsuperuser --username bench --no-input >/dev/null
}

# The SQL that fills the stuff table with N rows: short ones as before, or realistic ones, whose
# text (100-200 characters) has characters that need HTML encoding and a few beyond ASCII.
seed_sql() {
  local kind="$1" rows="$2"
  echo "TRUNCATE stuff RESTART IDENTITY;"
  if [[ "$kind" == short ]]; then
    cat <<SQL
INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version)
SELECT 'junk number ' || n, 'things about junk number ' || n || ', & <more>', n, now(), now(), 1
FROM generate_series(1, $rows) AS n;
SQL
  else
    cat <<SQL
INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version)
SELECT left('Box ' || n || ' of "odds & ends" <from the attic>, café shelf ' || repeat('ab ', n % 20), 100 + n % 60),
       left('Things in box ' || n || ': cables <HDMI & USB-C>, a "spare" key, Zoë''s notes, receipts & 3 < 4 > 2 ' || repeat('xyz & ', 30), 100 + n % 101),
       n % 1000 - 500, now(), now(), 1
FROM generate_series(1, $rows) AS n;
SQL
  fi
  echo "VACUUM ANALYZE stuff;"
}

seed() {
  log "Seeding $2 $1 rows"
  seed_sql "$1" "$2" | psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null
}

wait_for() {
  local url="$1" _
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.01
  done
  die "$url did not answer within 30 s"
}

# memory PID: "RSS PSS PRIVATE_DIRTY" in MB, from the kernel's summary of the process's mappings.
memory() {
  awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_Dirty:/ { d = $2 }
       END { printf "%.0f %.0f %.0f\n", r / 1024, p / 1024, d / 1024 }' "/proc/$1/smaps_rollup"
}

# Samples a process's memory twice a second into FILE until stopped; max_memory reads the peaks.
start_sampler() {
  local pid="$1" file="$2"
  : >"$file"
  (while kill -0 "$pid" 2>/dev/null; do memory "$pid" >>"$file" 2>/dev/null || true; sleep 0.5; done) &
  SAMPLER_PID=$!
}
stop_sampler() { stop_pid "$SAMPLER_PID"; SAMPLER_PID=""; }
max_memory() { awk 'NF == 3 { if ($1 > r) r = $1; if ($2 > p) p = $2; if ($3 > d) d = $3 } END { printf "%d %d %d\n", r, p, d }' "$1"; }

# stats NUMBERS...: "median (min-max)" of the numbers.
stats() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf (NR > 1 ? "%s (%s-%s)" : "%s"), m, v[1], v[NR] }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= t : v >= t; print ok ? "met" : "not met" }'; }
target() { TARGETS_MD+=("| $1 | $2 | $3 | $4 |"); }

# start_app PORT [VAR=VALUE...]: the published app on PORT, with extra environment; sets APP_PID.
start_app() {
  local port="$1"
  shift
  env "$@" "$RELEASE/stuff" serve --urls "http://127.0.0.1:$port" >>"$WORK/app.log" 2>&1 &
  APP_PID=$!
}

# Starts the app STARTS times, each time from nothing to its first successful response, and reads
# its memory a second after, idle.
measure_startup() {
  local port _ started startup=() rss=() pss=() dirty=() reading
  port="$(free_port 5600)"
  for _ in $(seq 1 "$STARTS"); do
    started="$(date +%s%N)"
    start_app "$port"
    wait_for "http://127.0.0.1:$port/"
    startup+=($((($(date +%s%N) - started) / 1000000)))
    sleep 1
    read -r -a reading <<<"$(memory "$APP_PID")"
    rss+=("${reading[0]}") pss+=("${reading[1]}") dirty+=("${reading[2]}")
    stop_pid "$APP_PID"
  done
  APP_PID=""
  STARTUP_MS="$(median "${startup[@]}")"
  target "Start to first response (published executable, median of $STARTS starts, ms)" "$(stats "${startup[@]}")" "at most 500" "$(verdict "$STARTUP_MS" "<=" 500)"
  IDLE_RSS="$(median "${rss[@]}")"
  target "App idle, RSS (MB)" "$(stats "${rss[@]}")" "at most 100" "$(verdict "$IDLE_RSS" "<=" 100)"
  target "App idle, PSS / private dirty (MB)" "$(stats "${pss[@]}") / $(stats "${dirty[@]}")" "" ""
  log "Start to first response: $(stats "${startup[@]}") ms; idle RSS $(stats "${rss[@]}") MB"
}

start_servers() {
  APP_PORT="$(free_port 5600)"
  start_app "$APP_PORT"
  wait_for "http://127.0.0.1:$APP_PORT/"
  start_sampler "$APP_PID" "$WORK/app-memory"
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

# wrk_run URL [wrk args...]: one wrk run (WRK may put a prefix such as nsenter before it); sets
# LAST_RPS, LAST_P50, LAST_P99 and LAST_FAILED, and counts failures.
wrk_run() {
  local url="$1" out="$WORK/wrk.txt"
  shift
  ${WRK:-} wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $url"; }
  LAST_RPS="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  LAST_P50="$(awk '$1 == "50%" { print $2 }' "$out")"
  LAST_P99="$(awk '$1 == "99%" { print $2 }' "$out")"
  local bad sock
  bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
  sock="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")"
  LAST_FAILED=$((${bad:-0} + ${sock:-0}))
  ERRORS=$((ERRORS + LAST_FAILED))
}

# measure NAME TARGET URL [wrk args...]: one wrk run, one row of the table.
measure() {
  local name="$1" target="$2" url="$3"
  shift 3
  wrk_run "$url" "$@"
  ROWS_MD+=("| $name | $target | $LAST_RPS | $LAST_P50 | $LAST_P99 | $LAST_FAILED |")
  log "$name ($target): $LAST_RPS req/s, p50 $LAST_P50, p99 $LAST_P99, failed $LAST_FAILED"
}

# Milliseconds from wrk's latency text (e.g. 850.00us, 4.21ms, 1.02s).
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# warm_up SECONDS URL...: unrecorded load, so the JIT has compiled the hot paths before anything is measured.
warm_up() {
  local seconds="$1" url
  shift
  for url in "$@"; do ${WRK:-} wrk -t2 -c"$CONNECTIONS" -d"${seconds}s" "$url" >/dev/null 2>&1 || true; done
}

# list_against_ceiling LABEL: ROUNDS rounds of app then ceiling on the first list page; one target row.
list_against_ceiling() {
  local label="$1" app="http://127.0.0.1:$APP_PORT/" ceiling="http://127.0.0.1:$CEILING_PORT/" round ratios=() a
  for round in $(seq 1 "$ROUNDS"); do
    measure "List page 1, $label, round $round" "app" "$app"
    a="$LAST_RPS"
    measure "List page 1, $label, round $round" "ceiling" "$ceiling"
    ratios+=("$(ratio "$a" "$LAST_RPS")")
  done
  target "List page 1 / ceiling, $label (median of $ROUNDS rounds, A/B)" "$(stats "${ratios[@]}")" "at least 0.85" "$(verdict "$(median "${ratios[@]}")" ">=" 0.85)"
}

run_scenarios() {
  local app="http://127.0.0.1:$APP_PORT" round deep_ratios=() first
  warm_up "$WARM_UP" "$app/" "http://127.0.0.1:$CEILING_PORT/"
  list_against_ceiling "short rows"

  local deep_after=$((ROWS - 150))
  for round in $(seq 1 "$ROUNDS"); do
    measure "List page 1, short rows, round $round" "app" "$app/"
    first="$(to_ms "$LAST_P99")"
    measure "List page deep in $ROWS rows (?after=$deep_after), round $round" "app" "$app/?after=$deep_after"
    deep_ratios+=("$(ratio "$(to_ms "$LAST_P99")" "$first")")
  done
  target "Deep page p99 / first page p99 (median of $ROUNDS rounds)" "$(stats "${deep_ratios[@]}")" "at most 1.5" "$(verdict "$(median "${deep_ratios[@]}")" "<=" 1.5)"

  measure "Edit form GET, logged in" "app" "$app/edit/$((ROWS / 2))" -H "Cookie: $COOKIE"
  BENCH_COOKIE="$COOKIE" BENCH_BODY="Form.Junk=bench+junk&Form.Things=bench+things&Form.SomeNum=7&__RequestVerificationToken=$FORM_TOKEN" \
    measure "Create POST loop (302 on success)" "app" "$app/new" -s "$ROOT/bench/post.lua"

  seed realistic "$REALISTIC_ROWS"
  # The code is compiled already; the new data only needs its own pages warm.
  warm_up "$((WARM_UP / 3 + 1))" "$app/" "http://127.0.0.1:$CEILING_PORT/"
  list_against_ceiling "realistic rows"

  stop_sampler
  local peak
  read -r -a peak <<<"$(max_memory "$WORK/app-memory")"
  local hwm
  hwm="$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$APP_PID/status")"
  target "App peak under the load above, RSS (MB, the kernel's high-water mark)" "$hwm" "at most 150" "$(verdict "$hwm" "<=" 150)"
  target "App peak under the load above, PSS / private dirty (MB, sampled twice a second)" "${peak[1]} / ${peak[2]}" "" ""
}

# What each runtime setting in MEMORY_SETTINGS changes: a fresh app with it, warmed up, then one
# measured run of the list page (realistic rows) with its memory sampled.
memory_settings() {
  local setting port reading peak rps
  port="$(free_port 5800)"
  for setting in "" "${MEMORY_SETTINGS[@]}"; do
    start_app "$port" ${setting:+"$setting"}
    wait_for "http://127.0.0.1:$port/"
    sleep 1
    read -r -a reading <<<"$(memory "$APP_PID")"
    warm_up "$((WARM_UP / 3 + 1))" "http://127.0.0.1:$port/"
    start_sampler "$APP_PID" "$WORK/setting-memory"
    wrk_run "http://127.0.0.1:$port/"
    rps="$LAST_RPS"
    stop_sampler
    read -r -a peak <<<"$(max_memory "$WORK/setting-memory")"
    SETTINGS_MD+=("| ${setting:-as shipped} | ${reading[0]} / ${reading[2]} | ${peak[0]} / ${peak[1]} / ${peak[2]} | $rps |")
    log "Setting ${setting:-as shipped}: idle ${reading[*]}, peak ${peak[*]}, $rps req/s"
    stop_pid "$APP_PID"
  done
  APP_PID=""
}

# Where the app's time goes under load: perf samples of an app whose JIT writes a symbol map,
# summed by assembly. For perf to name the code, all of it is compiled by the JIT (the release's
# precompiled code has no map; after the warm-up the hot paths are the JIT's in any case) and
# without the W^X double mapping, whose addresses perf cannot read.
profile() {
  local port data="$WORK/perf.data" report="$WORK/perf.txt"
  port="$(free_port 5900)"
  start_app "$port" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
  wait_for "http://127.0.0.1:$port/"
  warm_up "$WARM_UP" "http://127.0.0.1:$port/"
  wrk -t2 -c"$CONNECTIONS" -d"$((DURATION + 4))s" "http://127.0.0.1:$port/" >/dev/null 2>&1 &
  local load=$!
  sleep 2
  perf record -F 999 -g -p "$APP_PID" -o "$data" -- sleep "$DURATION" >/dev/null 2>&1
  wait "$load" || true
  perf report -i "$data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' >"$report" || true
  stop_pid "$APP_PID"
  rm -f "/tmp/perf-$APP_PID.map" "/tmp/perfinfo-$APP_PID.map"
  APP_PID=""
  # Self time by where the code lives: the kernel, the runtime's native code, or a managed assembly.
  local line
  while IFS= read -r line; do PROFILE_MD+=("$line"); done < <(awk '
    { pct = $1 + 0; kind = $2; $1 = ""; $2 = ""; sym = $0
      if (kind == "[k]") owner = "kernel (network, scheduling)"
      else if (match(sym, /\[[A-Za-z][A-Za-z0-9_.]+\]/)) owner = substr(sym, RSTART + 1, RLENGTH - 2)
      else owner = "runtime native code (GC, allocation, stubs) and libc"
      total[owner] += pct }
    END { for (o in total) printf "%.1f\t%s\n", total[o], o }' "$report" | sort -rn | head -n 14 |
    awk -F '\t' '{ printf "| %s | %s%% |\n", $2, $1 }')
  PROFILE_TOP=()
  while IFS= read -r line; do PROFILE_TOP+=("$line"); done < <(grep -v '\[k\]' "$report" | head -n 15 |
    sed -E 's/^ +([0-9.]+)% +\[.\] +/\1\t/; s/\[(OptimizedTier1|Optimized|QuickJitted|PreJIT|InstrumentedTierOptimized|InstrumentedTier)\]//; s/(class|valuetype) //g; s/\|/\\|/g' |
    awk -F '\t' '{ s = $2; if (length(s) > 150) s = substr(s, 1, 150) "..."; printf "| %s%% | `%s` |\n", $1, s }')
}

# The whole server, on a disposable systemd machine where `stuff setup` installed this release.
server() {
  local local_server="$ROOT/deploy/local-server.sh" init
  log "Booting a disposable server and running stuff setup in it (deploy/local-server.sh)"
  "$local_server" stop >/dev/null 2>&1 || true
  SERVER_STARTED=1
  "$local_server" start --release "$RELEASE" >"$WORK/local-server.log" 2>&1 || { tail -n 30 "$WORK/local-server.log" >&2; die "the disposable server did not start"; }
  init="$("$local_server" pid)"
  inside() { nsenter -t "$init" -a "$@"; }
  # The host's wrk and curl, in the machine's network, where stuff.test is the machine's loopback.
  printf '127.0.0.1 stuff.test localhost\n' >"$WORK/hosts"
  local in_net="$WORK/in-net"
  printf '#!/bin/sh\nexec nsenter -t %s -n unshare -m -- sh -c '"'"'mount --bind %s /etc/hosts && exec "$0" "$@"'"'"' "$@"\n' "$init" "$WORK/hosts" >"$in_net"
  chmod +x "$in_net"
  local live direct apache="https://stuff.test/stuff/"
  live="$(basename "$(inside readlink /opt/stuff/current)")"
  direct="http://127.0.0.1:$live/stuff/"
  seed_sql short "$ROWS" | inside runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d stuff >/dev/null

  # Through Apache against direct, side by side; direct carries the headers Apache adds.
  local round ratios=() d proxied=(-H "Host: stuff.test" -H "X-Forwarded-Proto: https")
  "$in_net" wrk -t2 -c"$CONNECTIONS" -d"$((WARM_UP / 2 + 1))s" "${proxied[@]}" "$direct" >/dev/null 2>&1 || true
  WRK="$in_net" warm_up "$((WARM_UP / 2 + 1))" "$apache"
  for round in $(seq 1 "$ROUNDS"); do
    WRK="$in_net" wrk_run "$direct" "${proxied[@]}"
    d="$LAST_RPS"
    SERVER_MD+=("| Installed site, list page 1, round $round | direct 127.0.0.1:$live | $LAST_RPS | $LAST_P50 | $LAST_P99 | $LAST_FAILED |")
    WRK="$in_net" wrk_run "$apache"
    SERVER_MD+=("| Installed site, list page 1, round $round | through Apache (HTTPS, HTTP/1.1) | $LAST_RPS | $LAST_P50 | $LAST_P99 | $LAST_FAILED |")
    ratios+=("$(ratio "$LAST_RPS" "$d")")
  done
  target "Through Apache / direct (median of $ROUNDS rounds, A/B)" "$(stats "${ratios[@]}")" "at least 0.90" "$(verdict "$(median "${ratios[@]}")" ">=" 0.90)"

  # The whole server's memory: every process in the machine, idle, then during an upgrade under
  # load (the running slot, the new one, and setup itself with what it runs: backup, migrate).
  local pss_script='for f in /proc/[0-9]*; do c=$(tr "\\0" " " 2>/dev/null <$f/cmdline) && awk -v c="$c" "/^Pss:/ { p = \$2 } /^Private_Dirty:/ { d = \$2 } END { print p, d, c }" $f/smaps_rollup 2>/dev/null; done'
  local group='{ c = $0; sub(/^[0-9]+ [0-9]+ /, "", c)
      g = c ~ /apache2|httpd/ ? "apache" : c ~ /postgres/ ? "postgresql" : c ~ /stuff serve/ ? "serve" : c ~ /stuff/ ? "commands" : "other"
      s[g] += $1; t += $1; d += $2 }
    END { printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", t / 1024, s["apache"] / 1024, s["postgresql"] / 1024, s["serve"] / 1024, s["commands"] / 1024, s["other"] / 1024, d / 1024 }'
  local idle
  read -r -a idle <<<"$(inside sh -c "$pss_script" 2>/dev/null | awk "$group")"
  target "Whole server idle, PSS (MB; Apache / PostgreSQL / the app / the rest); private dirty" \
    "${idle[0]} (${idle[1]} / ${idle[2]} / ${idle[3]} / ${idle[5]}); ${idle[6]}" "" ""
  local copy="/root/release-bench-upgrade"
  inside cp -a /root/release "$copy"
  printf '\n/* bench upgrade %s */\n' "$(date +%s)" >>"/proc/$init/root$copy/wwwroot/static/css/site.css"
  : >"$WORK/server-memory"
  (while true; do inside sh -c "$pss_script" 2>/dev/null | awk "$group" >>"$WORK/server-memory"; sleep 0.5; done) &
  SAMPLER_PID=$!
  "$in_net" wrk -t2 -c"$CONNECTIONS" -d90s "$apache" >"$WORK/upgrade-wrk.txt" 2>&1 &
  local load=$!
  sleep 15
  local upgraded=ok
  inside "$copy/stuff" setup --domain stuff.test --tls self-signed >"$WORK/upgrade.log" 2>&1 || upgraded="failed: $(tail -n 1 "$WORK/upgrade.log")"
  wait "$load" || true
  stop_sampler
  # A keep-alive connection that the reload closes just as wrk sends its next request on it is a
  # read error to wrk; a browser sends such a request again (and over HTTP/2 the server says
  # GOAWAY first). They are shown, not counted as failed; anything else is.
  local upgrade_failed closed
  upgrade_failed="$(awk '/Non-2xx or 3xx responses:/ { b = $NF } /Socket errors:/ { gsub(",", ""); s = $4 + $8 + $10 } END { print b + s }' "$WORK/upgrade-wrk.txt")"
  closed="$(awk '/Socket errors:/ { gsub(",", ""); print $6 }' "$WORK/upgrade-wrk.txt")"
  ERRORS=$((ERRORS + upgrade_failed))
  [[ "$upgraded" == ok ]] || ERRORS=$((ERRORS + 1))
  local peak
  read -r -a peak <<<"$(sort -n "$WORK/server-memory" | tail -n 1)"
  target "Whole server during an upgrade under load, peak PSS (MB; Apache / PostgreSQL / the app, both slots / setup and its commands / the rest); private dirty" \
    "${peak[0]} (${peak[1]} / ${peak[2]} / ${peak[3]} / ${peak[4]} / ${peak[5]}); ${peak[6]}" "at most 512" "$(verdict "${peak[0]}" "<=" 512)"
  SERVER_MD+=("| Upgrade under load, 90 s through Apache (setup: $upgraded; keep-alive connections the graceful reload closed: ${closed:-0}) | through Apache | $(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/upgrade-wrk.txt") | | | $upgrade_failed |")

  # kill -9 to serving again: systemd restarts the unit.
  local restarts=() started _
  live="$(basename "$(inside readlink /opt/stuff/current)")"
  for round in $(seq 1 "$ROUNDS"); do
    sleep 2
    started="$(date +%s%N)"
    inside systemctl kill -s KILL "stuff@$live"
    sleep 0.05
    for _ in $(seq 1 1000); do
      "$in_net" curl -sf -o /dev/null --max-time 1 -H "Host: stuff.test" -H "X-Forwarded-Proto: https" "http://127.0.0.1:$live/stuff/" && break
      sleep 0.02
    done
    restarts+=("$((($(date +%s%N) - started) / 1000000))")
  done
  target "kill -9 to serving again under systemd (ms, median of $ROUNDS)" "$(stats "${restarts[@]}")" "at most 2500" "$(verdict "$(median "${restarts[@]}")" "<=" 2500)"
  "$local_server" stop >/dev/null 2>&1
  SERVER_STARTED=0
}

write_results() {
  local cpu memory commit
  cpu="$(awk -F: '/^model name/ { gsub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo)"
  memory="$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [[ -z "$(git -C "$ROOT" status --porcelain -- src bench 2>/dev/null)" ]] || commit="$commit with uncommitted changes"
  mkdir -p "$(dirname "$OUTPUT")"
  {
    echo "# Benchmark results"
    echo
    echo "Written by \`bench/run.sh${ARGS:+ $ARGS}\` on $(date -u '+%Y-%m-%d %H:%M UTC') from commit $commit."
    echo "Machine: $(nproc) cores ($cpu), $memory, Linux $(uname -r). wrk with 2 threads and $CONNECTIONS connections for"
    echo "$DURATION s per row, on the same machine as the app and PostgreSQL, so the load generator competes for the"
    echo "same cores. Each target was warmed up first ($WARM_UP s). A/B comparisons alternate the two sides in"
    echo "$ROUNDS rounds; a figure \`m (a-b)\` is the median of the rounds and their range."
    echo
    echo "## Targets"
    echo
    echo "| target | measured | goal | |"
    echo "| --- | --- | --- | --- |"
    printf '%s\n' "${TARGETS_MD[@]}"
    echo "| Failed or non-2xx/3xx responses, every scenario | $ERRORS | 0 | $( ((ERRORS == 0)) && echo met || echo "not met") |"
    echo
    echo "RSS counts every page of the process in memory, the executable's own file pages included (the kernel"
    echo "shares and can drop those); PSS divides shared pages among the processes that map them; private"
    echo "dirty is memory only this process holds and the kernel cannot drop."
    echo
    echo "## Every run"
    echo
    echo "| scenario | target | requests/s | p50 | p99 | failed |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${ROWS_MD[@]}" "${SERVER_MD[@]}"
    echo
    echo "## Runtime settings and memory"
    echo
    echo "The app started afresh with each setting (environment variables of the .NET runtime), warmed up, then one"
    echo "measured run of the list page (realistic rows). MB. One run each: the requests/s vary by as much from run"
    echo "to run; the memory columns are what to read."
    echo
    echo "| setting | idle RSS / private dirty | peak RSS / PSS / private dirty | requests/s |"
    echo "| --- | --- | --- | ---: |"
    printf '%s\n' "${SETTINGS_MD[@]}"
    if ((PROFILE)); then
      echo
      echo "## Profile"
      echo
      echo "perf, $DURATION s at 999 Hz, of the app under the list page's load (realistic rows), after the warm-up;"
      echo "for perf to name the code the JIT compiled all of it and wrote a symbol map (DOTNET_ReadyToRun=0,"
      echo "DOTNET_PerfMapEnabled=1, DOTNET_EnableWriteXorExecute=0). Self time, by where the code lives:"
      echo
      echo "| code | share of the app's samples |"
      echo "| --- | ---: |"
      printf '%s\n' "${PROFILE_MD[@]}"
      echo
      echo "The methods with the most self time:"
      echo
      echo "| share | method |"
      echo "| ---: | --- |"
      printf '%s\n' "${PROFILE_TOP[@]}"
    fi
  } >"$OUTPUT"
  log "Wrote $OUTPUT"
}

main() {
  ARGS="$*"
  parse_args "$@"
  WORK="$(mktemp -d /tmp/stuff-bench.XXXXXX)"
  trap cleanup EXIT
  ensure_tools
  build
  prepare_database
  seed short "$ROWS"
  measure_startup
  start_servers
  login
  run_scenarios
  stop_pid "$APP_PID"
  stop_pid "$CEILING_PID"
  APP_PID="" CEILING_PID=""
  ((PROFILE)) && profile
  memory_settings
  ((SERVER)) && server
  write_results
  ((ERRORS == 0)) || die "$ERRORS request(s) failed"
}

main "$@"
