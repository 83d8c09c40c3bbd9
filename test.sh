#!/usr/bin/env bash
# Usage: ./test.sh [--fast] [dotnet test arguments...]
#
# Runs every test project against real services, and checks the code's format and style
# (dotnet format --verify-no-changes).
#
# --fast: the inner loop. Only tests/Stuff.Tests, without the tests that publish a release and
# run setup (Category=Deploy), put the site under load (Category=Load) or generate a site from
# the template and test it (Category=Template); SQLite and the throwaway PostgreSQL are still
# real. No Apache, no Chromium, no format check.
#
# As root on a fresh Debian machine it installs what is missing (PostgreSQL, Apache, Chromium)
# with apt-get. It starts a throwaway PostgreSQL cluster on a free loopback port, runs the tests
# in Release, stops the cluster, says where the browser tests' screenshots are, and ends with one line:
# "N passed, N failed, N skipped".
#
# As root it also publishes the release for the deploy tests. tests/Stuff.Deploy runs `stuff
# setup` on disposable Debian servers with systemd as PID 1 (systemd-nspawn), booted from a base
# that scripts/base-machine.sh builds once and caches in /var/cache/stuff-test-machines. The
# deploy tests still in tests/Stuff.Tests run `stuff setup` on this machine for real (Apache, the
# system PostgreSQL, /opt/stuff ...), with Apache held to loopback addresses. Not as root, or
# with STUFF_TEST_DEPLOY=0, the deploy tests are skipped.
set -Eeuo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly OUT="$ROOT/.test-output"
readonly CONFIGURATION=Release
readonly CHROMIUM=/usr/bin/chromium

# shellcheck source=scripts/throwaway-postgres.sh
source "$ROOT/scripts/throwaway-postgres.sh"

# The deploy tests need Apache installed; on this test machine it listens on loopback only.
prepare_deploy() {
  [[ $EUID -eq 0 ]] || { log "Not root: the deploy tests (stuff setup on this machine) are skipped"; return; }
  [[ "${STUFF_TEST_DEPLOY:-1}" != 0 ]] || { log "STUFF_TEST_DEPLOY=0: the deploy tests are skipped"; return; }
  if ! dpkg-query -W -f='${Status}' apache2 2>/dev/null | grep -q "install ok installed"; then
    log "Installing Apache"
    apt_install apache2
  fi
  sed -i -E 's/^(\s*)Listen (80|443)$/\1Listen 127.0.0.1:\2/' /etc/apache2/ports.conf
  local tool
  for tool in systemd-nspawn:systemd-container mmdebstrap:mmdebstrap; do
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
}

# The browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
ensure_chromium() {
  [[ -x "$CHROMIUM" ]] && return
  [[ $EUID -eq 0 ]] || die "the browser tests need Chromium: run sudo apt-get install chromium (or ./test.sh as root)"
  log "Installing Chromium"
  apt_install chromium
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

main() {
  cd "$ROOT"
  local fast=0
  if [[ "${1:-}" == "--fast" ]]; then fast=1; shift; fi
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed (dotnet is not on PATH)"
  ensure_postgres
  ((fast)) || ensure_chromium
  trap stop_cluster EXIT
  start_cluster

  rm -rf "$OUT"
  mkdir -p "$OUT"
  log "Building ($CONFIGURATION)"
  dotnet build Stuff.slnx -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly >&2

  local projects=(tests/Stuff.Tests/Stuff.Tests.csproj tests/Stuff.Browser/Stuff.Browser.csproj tests/Stuff.Deploy/Stuff.Deploy.csproj)
  local filter=() format_failures=0
  if ((fast)); then
    projects=(tests/Stuff.Tests/Stuff.Tests.csproj)
    # A --filter of the caller's narrows the fast set further.
    local fast_filter="Category!=Deploy&Category!=Load&Category!=Template" rest=()
    while (($#)); do
      if [[ "$1" == --filter && $# -gt 1 ]]; then fast_filter="($fast_filter)&($2)"; shift 2; else rest+=("$1"); shift; fi
    done
    set -- "${rest[@]}"
    filter=(--filter "$fast_filter")
  else
    check_format || format_failures=1
    prepare_deploy
  fi

  local project name status=0
  for project in "${projects[@]}"; do
    name="$(basename "$project" .csproj)"
    log "Testing $name"
    dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo "${filter[@]}" \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$OUT" "$@" >&2 || status=1
  done
  if [[ -d "$OUT/screenshots" ]]; then log "Screenshots of the browser tests: $OUT/screenshots"; fi
  summarize "${#projects[@]}" "$format_failures" || status=1
  return "$status"
}

main "$@"
