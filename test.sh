#!/usr/bin/env bash
# Usage: ./test.sh [--fast] [dotnet test arguments...]
#
# Runs every test project against real services, and checks the code's format and style
# (dotnet format --verify-no-changes).
#
# --fast: the inner loop. Only tests/Stuff.Tests, without the tests that publish a release and
# run setup (Category=Deploy), put the site under load (Category=Load) or generate a site from
# the template and test it (Category=Template); SQLite, the throwaway PostgreSQL and restic are
# still real. No Apache, no Chromium, no format check.
#
# As root on a fresh Debian machine it installs what is missing (PostgreSQL, Chromium,
# restic, systemd-container, mmdebstrap, pebble, curl, testssl.sh, npm, podman, runc) with apt-get. It starts a throwaway PostgreSQL cluster on a free loopback port, runs the tests
# in Release, stops the cluster, says where the browser tests' screenshots are, and ends with one line:
# "N passed, N failed, N skipped".
#
# As root it also publishes the release for the deploy tests. tests/Stuff.Deploy runs `stuff
# setup` on disposable Debian servers with systemd as PID 1 (systemd-nspawn), booted from a base
# that scripts/base-machine.sh builds once and caches in /var/cache/stuff-test-machines. No test
# changes this machine: the run checks that its Apache, /etc/stuff, /opt/stuff, /var/www/stuff and
# PostgreSQL clusters are as they were, and counts a difference as a failure. Not as root, or
# with STUFF_TEST_DEPLOY=0, the deploy tests are skipped.
#
# The tests that generate a site from the template (Category=Template) and the format check run
# beside the browser and deploy tests, on the cores those leave idle (SCHED_IDLE): they compile,
# the deploy tests mostly wait on their machines. Their output follows the
# deploy tests' output.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly OUT="$ROOT/.test-output"
readonly CONFIGURATION=Release
readonly CHROMIUM=/usr/bin/chromium

# shellcheck source=scripts/throwaway-postgres.sh
source "$ROOT/scripts/throwaway-postgres.sh"

# The deploy tests need systemd-nspawn, mmdebstrap (for the machines' base), pebble (the ACME
# server the acme tests run in a machine's network), curl, testssl.sh and npm (the scanners),
# podman with runc (the container image's test) and the published release.
prepare_deploy() {
  [[ $EUID -eq 0 ]] || { log "Not root: the deploy tests (stuff setup on disposable servers) are skipped"; return; }
  [[ "${STUFF_TEST_DEPLOY:-1}" != 0 ]] || { log "STUFF_TEST_DEPLOY=0: the deploy tests are skipped"; return; }
  local tool
  for tool in systemd-nspawn:systemd-container mmdebstrap:mmdebstrap pebble:pebble curl:curl testssl:testssl.sh npm:npm podman:podman runc:runc; do
    command -v "${tool%%:*}" >/dev/null || { log "Installing ${tool#*:}"; apt_install "${tool#*:}"; }
  done
  # Machines a killed earlier run left behind.
  if [[ -d /var/tmp/stuff-test-machines ]]; then
    find /var/tmp/stuff-test-machines -mindepth 2 -maxdepth 2 -name root -exec umount -l {} \; 2>/dev/null || true
    rm -rf /var/tmp/stuff-test-machines
  fi
  STUFF_TEST_MACHINE_BASE="$(scripts/base-machine.sh)"
  export STUFF_TEST_MACHINE_BASE
  log "Publishing the release for the deploy tests"
  dotnet publish src/Stuff -c "$CONFIGURATION" -r linux-x64 -o "$OUT/release" -nologo -v quiet -clp:ErrorsOnly >&2
  export STUFF_TEST_RELEASE="$OUT/release"
  ensure_observatory
}

# The MDN HTTP Observatory scanner, as pinned in tests/Stuff.Deploy/Scanners, for the scanner tests.
ensure_observatory() {
  local scanners="$OUT/scanners"
  log "Installing the MDN HTTP Observatory scanner (npm ci)"
  mkdir -p "$scanners"
  cp tests/Stuff.Deploy/Scanners/package.json tests/Stuff.Deploy/Scanners/package-lock.json "$scanners/"
  # --ignore-scripts: its install script would download the HSTS preload and TLD lists.
  (cd "$scanners" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  # The scan reads the preload list; an empty one says no site here is preloaded, which is true.
  echo '{}' >"$scanners/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json"
  export STUFF_TEST_OBSERVATORY="$scanners/node_modules/@mdn/mdn-http-observatory"
}

# The off-site backup tests drive restic, as servers install it, on repositories of their own.
ensure_restic() {
  command -v restic >/dev/null && return
  [[ $EUID -eq 0 ]] || die "the off-site backup tests need restic: run sudo apt-get install restic (or ./test.sh as root)"
  log "Installing restic"
  apt_install restic
}

# The browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
ensure_chromium() {
  [[ -x "$CHROMIUM" ]] && return
  [[ $EUID -eq 0 ]] || die "the browser tests need Chromium: run sudo apt-get install chromium (or ./test.sh as root)"
  log "Installing Chromium"
  apt_install chromium
}

# What the tests must leave as it was on this machine: the paths setup would write on a server,
# and the PostgreSQL clusters with their databases and roles.
host_fingerprint() {
  local path
  for path in /etc/apache2 /etc/httpd /etc/stuff /opt/stuff /var/www/stuff /var/lib/stuff /etc/systemd/system; do
    if [[ -e "$path" ]]; then find "$path" -printf '%p %M %u:%g %s %T@ %l\n' 2>/dev/null | sort; else echo "$path absent"; fi
  done
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters --no-header 2>/dev/null || true
    local version name port status rest
    while read -r version name port status rest; do
      [[ "$status" == online* ]] || continue
      runuser -u postgres -- psql -XtA -p "$port" -c "SELECT 'database ' || datname FROM pg_database UNION ALL SELECT 'role ' || rolname FROM pg_roles ORDER BY 1" 2>/dev/null || true
    done < <(pg_lsclusters --no-header 2>/dev/null || true)
  fi
}

# Compares the machine with the fingerprint taken before the tests; a difference is a failure.
check_host_unchanged() {
  log "Checking that the tests left this machine's Apache, /etc/stuff, /opt/stuff, /var/www/stuff, systemd units and PostgreSQL as they were"
  host_fingerprint >"$OUT/host-after.txt"
  if ! diff -u "$OUT/host-before.txt" "$OUT/host-after.txt" >"$OUT/host-changes.diff"; then
    log "The tests changed this machine (see $OUT/host-changes.diff):"
    head -n 20 "$OUT/host-changes.diff" >&2
    return 1
  fi
}

# The code as dotnet format would write it, with the analyzers' and .editorconfig's rules.
check_format() {
  log "Checking format and style (dotnet format --verify-no-changes)"
  if ! dotnet format Stuff.slnx --verify-no-changes --no-restore -v quiet >&2; then
    log "The code is not formatted as .editorconfig says: run dotnet format Stuff.slnx"
    return 1
  fi
}

# Sums the counters of every TRX file; a project that wrote none counts as one failure, and so
# does each other check that failed (the second argument).
summarize() {
  local passed=0 failed=0 skipped=0 total executed p f trx
  local expected="$1"
  local other_failures="${2:-0}"
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
  failed=$((failed + other_failures))
  echo "$passed passed, $failed failed, $skipped skipped"
  ((failed == 0))
}

# run_tests NAME PROJECT FILTER [dotnet test arguments...]: one dotnet test run, its results in
# $OUT/NAME.trx. An empty FILTER runs the whole project; a --filter among the arguments narrows it.
run_tests() {
  local name="$1" project="$2" filter="$3" rest=()
  shift 3
  while (($#)); do
    if [[ "$1" == --filter && $# -gt 1 ]]; then filter="${filter:+($filter)&}($2)"; shift 2; else rest+=("$1"); shift; fi
  done
  log "Testing $name"
  dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo ${filter:+--filter "$filter"} \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$OUT" "${rest[@]}"
}

# in_background NAME COMMAND...: runs a command or function at the lowest priority while the other
# tests run; its output goes to $OUT/NAME.log and its process id to BACKGROUND[NAME].
declare -A BACKGROUND=()
in_background() {
  local name="$1"
  shift
  log "Running $name alongside, on idle cores (output in $OUT/$name.log)"
  # SCHED_IDLE: it runs only on a core nothing else wants, so the deploy tests' timing is their own.
  (renice -n 19 -p "$BASHPID" >/dev/null && chrt --idle -p 0 "$BASHPID" && "$@") >"$OUT/$name.log" 2>&1 &
  BACKGROUND[$name]=$!
}

# finish_background NAME: waits for it, shows its output, and fails as it did.
finish_background() {
  local name="$1" status=0
  wait "${BACKGROUND[$name]}" || status=$?
  log "Output of $name"
  cat "$OUT/$name.log" >&2
  return "$status"
}

main() {
  cd "$ROOT"
  local fast=0
  if [[ "${1:-}" == "--fast" ]]; then fast=1; shift; fi
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed (dotnet is not on PATH)"
  ensure_postgres
  ensure_restic
  ((fast)) || ensure_chromium
  trap stop_cluster EXIT
  start_cluster

  rm -rf "$OUT"
  mkdir -p "$OUT"
  log "Building ($CONFIGURATION)"
  dotnet build Stuff.slnx -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly >&2

  local status=0
  if ((fast)); then
    run_tests Stuff.Tests tests/Stuff.Tests/Stuff.Tests.csproj "Category!=Deploy&Category!=Load&Category!=Template" "$@" >&2 || status=1
    summarize 1 0 || status=1
    return "$status"
  fi

  prepare_deploy
  host_fingerprint >"$OUT/host-before.txt"
  # The sites generated from the template and the format check are mostly compilation: they
  # use the cores the other tests leave idle, from here to the end of the deploy tests, which
  # spend much of their time waiting on their machines. Build servers started so far run at
  # normal priority; theirs start anew, at the idle priority with them (nothing after this
  # point builds at normal priority: the tests run --no-build).
  dotnet build-server shutdown >/dev/null 2>&1 || true
  in_background Stuff.Tests.Template run_tests Stuff.Tests.Template tests/Stuff.Tests/Stuff.Tests.csproj "Category=Template" "$@"
  in_background format check_format
  run_tests Stuff.Tests tests/Stuff.Tests/Stuff.Tests.csproj "Category!=Template" "$@" >&2 || status=1
  run_tests Stuff.Browser tests/Stuff.Browser/Stuff.Browser.csproj "" "$@" >&2 || status=1
  run_tests Stuff.Deploy tests/Stuff.Deploy/Stuff.Deploy.csproj "" "$@" >&2 || status=1
  # The template's failures are counted through its result file, the format check's here.
  finish_background Stuff.Tests.Template || status=1
  local other_failures=0
  finish_background format || other_failures=1
  dotnet build-server shutdown >/dev/null 2>&1 || true
  check_host_unchanged || other_failures=$((other_failures + 1))
  if [[ -d "$OUT/screenshots" ]]; then log "Screenshots of the browser tests: $OUT/screenshots"; fi
  summarize 4 "$other_failures" || status=1
  return "$status"
}

main "$@"
