#!/usr/bin/env bash
# Usage: sudo deploy/local-server.sh start [--release DIR] [--domain NAME]
#        sudo deploy/local-server.sh shell | status | pid | stop
#
# A production-like server on this Linux machine, to rehearse a deploy: a fresh Debian 12 with
# systemd as PID 1 (systemd-nspawn), on a private link of its own, where `stuff setup` installs
# the release as on a real server (Apache, PostgreSQL, the systemd units, the backup timer).
#
#   start   builds the base machine once (scripts/base-machine.sh, cached), publishes the release
#           (unless --release names a published one), boots the machine, runs setup in it and
#           says how to reach the site from here.
#   shell   a root shell inside (try: stuff status, stuff doctor, journalctl -u 'stuff@*').
#   status  whether it runs, and its address.
#   pid     the machine's init process, for nsenter (bench/run.sh --server measures through it).
#   stop    halts it and removes everything it wrote (its disk, its link, its cgroups).
#
# Needs root, systemd-container and mmdebstrap (apt-get install systemd-container mmdebstrap).
# The machine's disk is an overlay on the cached base under /var/tmp/stuff-local-server; nothing
# else on this machine changes while it runs, and stop takes it all away.
# (macOS and Windows: deploy/Vagrantfile does the same with a VM.)
set -Eeuo pipefail

readonly REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly STATE=/var/tmp/stuff-local-server
readonly NAME=stuff-local
# The private link: this host is .1, the machine .2.
readonly HOST_IP=10.231.254.1
readonly MACHINE_IP=10.231.254.2

die() { printf 'local-server.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

nspawn_pid() { [[ -f "$STATE/nspawn.pid" ]] && kill -0 "$(cat "$STATE/nspawn.pid")" 2>/dev/null && cat "$STATE/nspawn.pid"; }
init_pid() { ps -o pid= --ppid "$1" | head -n 1 | tr -d ' '; }
inside() { nsenter -t "$(init_pid "$(nspawn_pid)")" -a "$@"; }

start() {
  local release="" domain="stuff.test"
  while (($#)); do
    case "$1" in
      --release) release="${2:?--release needs a directory}"; shift 2 ;;
      --domain) domain="${2:?--domain needs a name}"; shift 2 ;;
      *) die "unknown option '$1'; see the comment at the top of this script" ;;
    esac
  done
  [[ -z "$(nspawn_pid || true)" ]] || die "it runs already ($MACHINE_IP); stop it first: sudo $0 stop"
  command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing: apt-get install systemd-container"
  if [[ -z "$release" ]]; then
    release="$STATE-release"
    log "Publishing the release to $release"
    dotnet publish "$REPO/src/Stuff" -c Release -r linux-x64 -o "$release" -nologo -v quiet -clp:ErrorsOnly >&2
  fi
  [[ -x "$release/stuff" ]] || die "$release has no stuff executable: give a published release (dotnet publish -r linux-x64)"

  local base
  base="$("$REPO/scripts/base-machine.sh")"
  log "Booting $NAME"
  rm -rf "$STATE"
  mkdir -p "$STATE"/{upper,work,root}
  mount -t overlay overlay -o "lowerdir=$base,upperdir=$STATE/upper,workdir=$STATE/work" "$STATE/root"
  echo "$NAME" >"$STATE/root/etc/hostname"
  cp -a "$release" "$STATE/root/root/release"
  local cgroup
  for cgroup in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do [[ -d "$cgroup" ]] && mkdir -p "$cgroup/$NAME"; done
  # The launcher joins the machine's own cgroups, then becomes nspawn (there is no machined
  # here to register with: --register=no --keep-unit).
  setsid bash -c "for c in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do [ -d \$c/$NAME ] && echo \$\$ > \$c/$NAME/cgroup.procs; done
    exec systemd-nspawn -D '$STATE/root' -M $NAME --hostname=$NAME -b --network-veth --register=no --keep-unit --console=read-only" \
    >"$STATE/console.log" 2>&1 </dev/null &
  echo $! >"$STATE/nspawn.pid"
  local i
  for i in $(seq 100); do [[ -e "/sys/class/net/ve-$NAME" && -n "$(init_pid "$(cat "$STATE/nspawn.pid")")" ]] && break; sleep 0.1; done
  [[ -e "/sys/class/net/ve-$NAME" ]] || die "the machine did not start: see $STATE/console.log"
  ip addr add "$HOST_IP/30" dev "ve-$NAME"
  ip link set "ve-$NAME" up
  nsenter -t "$(init_pid "$(nspawn_pid)")" -n ip addr add "$MACHINE_IP/30" dev host0
  nsenter -t "$(init_pid "$(nspawn_pid)")" -n ip link set host0 up
  for i in $(seq 60); do
    case "$(inside systemctl is-system-running --wait 2>/dev/null || true)" in running | degraded) break ;; esac
    sleep 0.5
  done

  log "Running stuff setup inside"
  inside /root/release/stuff setup --domain "$domain" --tls self-signed
  cat <<EOF

The server runs at $MACHINE_IP (Debian 12, systemd, Apache, PostgreSQL). From this machine:
  curl -k --resolve $domain:443:$MACHINE_IP https://$domain/stuff/
  or add "$MACHINE_IP $domain" to /etc/hosts and open https://$domain/stuff/ (self-signed certificate)
A shell inside:  sudo $0 shell      (then: stuff createsuperuser, stuff doctor)
Stop and remove: sudo $0 stop
EOF
}

shell() {
  [[ -n "$(nspawn_pid || true)" ]] || die "it does not run: sudo $0 start"
  inside bash -l
}

status() {
  if [[ -n "$(nspawn_pid || true)" ]]; then echo "running at $MACHINE_IP ($(inside systemctl is-system-running 2>/dev/null || true))"; else echo "not running"; fi
}

pid() {
  [[ -n "$(nspawn_pid || true)" ]] || die "it does not run: sudo $0 start"
  init_pid "$(nspawn_pid)"
}

stop() {
  local pid
  if pid="$(nspawn_pid)"; then
    log "Halting $NAME"
    kill -TERM "$pid"
    local i
    for i in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  mountpoint -q "$STATE/root" 2>/dev/null && umount -l "$STATE/root"
  rm -rf "$STATE"
  local cgroup
  for cgroup in /sys/fs/cgroup/systemd/$NAME /sys/fs/cgroup/unified/$NAME; do
    [[ -d "$cgroup" ]] && find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  log "Removed"
}

[[ $EUID -eq 0 ]] || die "needs root (it boots a machine): sudo $0 ${1:-start}"
case "${1:-}" in
  start) shift; start "$@" ;;
  shell) shell ;;
  status) status ;;
  pid) pid ;;
  stop) stop ;;
  *) die "usage: $0 start [--release DIR] [--domain NAME] | shell | status | pid | stop" ;;
esac
