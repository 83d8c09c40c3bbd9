#!/usr/bin/env bash
# Usage: scripts/base-machine.sh [CACHE]
#
# Builds the root filesystem the deploy tests boot their disposable servers from (a minimal
# Debian 12 with systemd as PID 1, as a fresh server has it) and prints its path. It is built
# once and cached under CACHE (default /var/cache/stuff-test-machines), in a folder named by a
# hash of this recipe and the host's apt sources: change either and the next run builds anew.
#
# What setup installs (Apache, PostgreSQL, ...) is NOT installed here: its packages are only
# downloaded into the machine's apt cache (and the package lists kept), because a test machine
# has a private network with no route out. Setup's own `apt-get install` unpacks them inside
# the machine, as on a real server. Needs root, mmdebstrap and systemd-container.
set -Eeuo pipefail

readonly CACHE="${1:-/var/cache/stuff-test-machines}"
readonly SUITE=bookworm
# A minimal server: systemd, D-Bus, and the tools an operator would find on one.
readonly INCLUDE=systemd,systemd-sysv,dbus,procps,iproute2,ca-certificates
# What `stuff setup` installs on Debian (Server/Layout.cs, and unattended-upgrades for the
# security updates, restic and ssh for off-site backups), ufw for the firewall test and
# openssh-server for the off-site backup test's SFTP repository.
readonly DOWNLOAD="apache2 postgresql openssl unattended-upgrades ufw restic openssh-client openssh-server"

log() { printf '==> %s\n' "$*" >&2; }

# The host's own mirrors, as one-line sources, so mmdebstrap uses what this machine reaches.
mirrors() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$file" ]] && grep -E '^deb ' "$file" | grep -E " $SUITE(-updates|-security)? " || true
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    awk -v suite="$SUITE" '
      /^URIs:/ { uri = $2 } /^Suites:/ { $1 = ""; suites = $0 } /^Components:/ { $1 = ""; components = $0 }
      /^$/ { flush() } END { flush() }
      function flush(  n, s, i) {
        if (uri == "") return
        n = split(suites, s, " ")
        for (i = 1; i <= n; i++) if (s[i] ~ "^" suite "(-updates|-security)?$") print "deb " uri " " s[i] components
        uri = ""
      }' "$file"
  done
}

main() {
  [[ $EUID -eq 0 ]] || { echo "base-machine.sh: needs root" >&2; exit 1; }
  local sources key target
  sources="$(mirrors | sort -u)"
  [[ -n "$sources" ]] || { echo "base-machine.sh: no $SUITE apt sources on this host" >&2; exit 1; }
  key="$( { cat "${BASH_SOURCE[0]}"; echo "$sources"; } | sha256sum | cut -c1-16)"
  target="$CACHE/$SUITE-$key"
  if [[ -f "$target/.complete" ]]; then echo "$target"; return; fi

  log "Building the test machines' base ($SUITE, once; cached in $target)"
  rm -rf "$target" "$target.tmp"
  mkdir -p "$CACHE"
  # The package lists and the downloaded packages stay; setup's apt-get then works offline.
  mmdebstrap --quiet --variant=minbase --include="$INCLUDE" \
    --skip=cleanup/apt/lists --skip=cleanup/apt/cache \
    --customize-hook='echo "APT::Keep-Downloaded-Packages \"true\";" > "$1/etc/apt/apt.conf.d/90keep"' \
    --customize-hook="chroot \"\$1\" env -u APT_CONFIG apt-get install --download-only -y -q -o APT::Install-Recommends=true $DOWNLOAD >/dev/null" \
    --customize-hook='rm -f "$1/etc/hostname"; : > "$1/etc/machine-id"' \
    "$SUITE" "$target.tmp" - <<<"$sources" >&2
  touch "$target.tmp/.complete"
  mv "$target.tmp" "$target"
  # Older bases are of no more use.
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -path "$target" -exec rm -rf {} +
  echo "$target"
}

main "$@"
