#!/usr/bin/env bash
# Installs a Tandem edge relay on Debian 12 (bookworm) or 13 (trixie), as root:
#   npm run build:relay                        # on a build machine: dist/relay/tandem-relay.mjs
#   scp -r dist/relay infra/relay root@vm:/root/tandem/
#   ssh root@vm 'cd /root/tandem && bash relay/install.sh relay/tandem-relay.mjs'
# Then edit /etc/tandem/relay.env and `systemctl restart tandem-relay`.
# Safe to run again (upgrades the bundle, keeps relay.env).
set -euo pipefail

bundle="${1:-$(dirname "$0")/../../dist/relay/tandem-relay.mjs}"
here="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -f "$bundle" ] || { echo "relay bundle not found: $bundle (run npm run build:relay)" >&2; exit 1; }
. /etc/os-release
[ "${ID:-}" = debian ] || echo "warning: written for Debian, found ${PRETTY_NAME:-unknown}" >&2

# 1. Node.js 20 or newer. Debian 13 ships 20.x; Debian 12 ships 18.x, so there
#    we add NodeSource's signed repository for the node_20.x line.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  apt-get update -qq
  if [ "${VERSION_ID%%.*}" -ge 13 ] 2>/dev/null; then
    apt-get install -y -qq nodejs
  else
    apt-get install -y -qq ca-certificates curl gnupg
    install -d -m 0755 /etc/apt/keyrings
    curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key |
      gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
    echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main" \
      >/etc/apt/sources.list.d/nodesource.list
    apt-get update -qq
    apt-get install -y -qq nodejs
  fi
fi
[ "$(node_major)" -ge 20 ] || { echo "Node.js 20+ is required, found $(node -v 2>/dev/null)" >&2; exit 1; }
[ -x /usr/bin/node ] || { echo "the unit runs /usr/bin/node; install Node there" >&2; exit 1; }

# 2. RTPEngine for media anchoring (Debian main). Its defaults: control on
#    localhost:2223 (TANDEM_RTPENGINE=127.0.0.1:2223), RTP ports 30000-40000.
#    On a VM behind 1:1 NAT set `interface = <private-ip>!<public-ip>` in
#    /etc/rtpengine/rtpengine.conf. For in-kernel forwarding also install
#    rtpengine-kernel-dkms (needs the kernel headers).
apt-get install -y -qq rtpengine-daemon
systemctl enable --now rtpengine-daemon

# 3. A system user of its own, no login, no home.
id tandem >/dev/null 2>&1 ||
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tandem

# 4. The bundle (one file, no node_modules) and its source map.
install -d -m 0755 /opt/tandem
install -m 0644 "$bundle" /opt/tandem/tandem-relay.mjs
[ -f "$bundle.map" ] && install -m 0644 "$bundle.map" /opt/tandem/tandem-relay.mjs.map

# 5. Settings: readable by the relay's group only (it holds the relay token). Never overwritten.
install -d -m 0750 -g tandem /etc/tandem
if [ ! -f /etc/tandem/relay.env ]; then
  install -m 0640 -g tandem "$here/relay.env.example" /etc/tandem/relay.env
  echo "created /etc/tandem/relay.env: set TANDEM_DECIDE_URL, TANDEM_CDR_URL and TANDEM_RELAY_TOKEN, then restart"
fi

# 6. The unit.
install -m 0644 "$here/tandem-relay.service" /etc/systemd/system/tandem-relay.service
systemctl daemon-reload
systemctl enable tandem-relay
if grep -q '^TANDEM_RELAY_TOKEN=change-me' /etc/tandem/relay.env; then
  echo "not started: edit /etc/tandem/relay.env first, then: systemctl restart tandem-relay"
else
  systemctl restart tandem-relay
fi

# 7. Firewall (not changed by this script; adapt and load, e.g. with nftables):
cat <<'NOTES'
Firewall: open to your carriers and IPBXs only, where you can:
  SIP     5060/udp, 5060/tcp (TANDEM_SIP_PORT), 5061/tcp for TLS (TANDEM_SIP_TLS_PORT)
  RTP     30000-40000/udp (rtpengine port-min/port-max), from anywhere media may come
  Example nftables rules (inet filter input chain):
    udp dport 5060 accept
    tcp dport { 5060, 5061 } accept
    udp dport 30000-40000 accept
  rtpengine's control port 2223 and the relay's metrics must stay on localhost/private networks.
NOTES
