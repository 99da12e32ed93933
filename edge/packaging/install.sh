#!/bin/sh
# Installs or upgrades the CityTwin edge agent from an unpacked bundle (run as root from the
# bundle folder). Idempotent; keeps earlier releases for rollback; never overwrites the
# config, the environment file or the state.
#   /opt/citytwin-edge/releases/<version>   this bundle
#   /opt/citytwin-edge/current              symlink to the active release
#   /etc/citytwin/edge.yaml, edge.env       config (0640) and secrets (0600), created once
#   /usr/local/bin/citytwin-edge            the commissioning CLI
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$(cat "$here/VERSION")
prefix=/opt/citytwin-edge
user=citytwin-edge

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ -x /usr/bin/node ] || { echo "install.sh: /usr/bin/node missing: apt-get install nodejs" >&2; exit 1; }
echo "node $(/usr/bin/node --version) on $(uname -m)"

if ! id "$user" >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/citytwin-edge --no-create-home --shell /usr/sbin/nologin "$user"
fi
getent group dialout >/dev/null && usermod -a -G dialout "$user"

mkdir -p "$prefix/releases"
rm -rf "$prefix/releases/$version.new"
cp -a "$here" "$prefix/releases/$version.new"
rm -rf "$prefix/releases/$version"
mv "$prefix/releases/$version.new" "$prefix/releases/$version"
ln -sfn "releases/$version" "$prefix/current.new"
mv -T "$prefix/current.new" "$prefix/current"

install -d -m 0750 -o root -g "$user" /etc/citytwin
[ -e /etc/citytwin/edge.yaml ] || install -m 0640 -o root -g "$user" "$here/edge.sample.yaml" /etc/citytwin/edge.yaml
if [ ! -e /etc/citytwin/edge.env ]; then
  install -m 0600 -o root -g root /dev/null /etc/citytwin/edge.env
  echo "# CT_MQTT_PASSWORD=<gateway secret>" >/etc/citytwin/edge.env
  echo "# Small Modbus-only gateway (docs/edge-benchmarks.md); keep the defaults for OPC UA devices:" >>/etc/citytwin/edge.env
  echo "# CT_EDGE_HEAP_MB=24" >>/etc/citytwin/edge.env
  echo "# CT_EDGE_V8_FLAGS=--lite-mode" >>/etc/citytwin/edge.env
fi
printf '#!/bin/sh\nexec /usr/bin/node %s/current/citytwin-edge.mjs "$@"\n' "$prefix" >/usr/local/bin/citytwin-edge
chmod 0755 /usr/local/bin/citytwin-edge
install -m 0644 "$here/citytwin-edge.service" /etc/systemd/system/citytwin-edge.service
systemctl daemon-reload 2>/dev/null || true

echo "installed $version in $prefix/current. Next:"
echo "  edit /etc/citytwin/edge.yaml and /etc/citytwin/edge.env, then"
echo "  set -a; . /etc/citytwin/edge.env; citytwin-edge validate --config /etc/citytwin/edge.yaml"
echo "  systemctl enable --now citytwin-edge; journalctl -u citytwin-edge -f"
echo "  (upgrade: systemctl restart citytwin-edge after installing a newer bundle)"
