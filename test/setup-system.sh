#!/usr/bin/env bash
# Idempotent setup of the system packages the tests need (Debian).
# Installs what is missing with apt-get when run as root; otherwise names the exact packages.
set -euo pipefail

# package -> a file it provides, used to check whether it is installed
declare -A PROBE=(
  [influxdb]=/usr/bin/influxd
  [victoria-metrics]=/usr/bin/victoria-metrics
  [chromium]=/usr/bin/chromium
  [mosquitto]=/usr/sbin/mosquitto
  [mosquitto-clients]=/usr/bin/mosquitto_pub
  [python3-pymodbus]=/usr/lib/python3/dist-packages/pymodbus
  [mbpoll]=/usr/bin/mbpoll
  [socat]=/usr/bin/socat
  [systemd]=/usr/bin/systemd-analyze # verify the edge unit (edge/test/systemd-unit.test.ts)
  # CJK glyphs, so the viewer's Chinese UI renders in browser-test screenshots
  [fonts-wqy-zenhei]=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
)

missing=()
for pkg in "${!PROBE[@]}"; do
  [ -e "${PROBE[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing system packages: ${missing[*]}" >&2
  echo "setup-system: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
# The Debian packages start their services on install where a service manager runs;
# tests start their own instances on free ports, so stop any that started.
for svc in influxdb mosquitto victoria-metrics; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
done
echo "setup-system: done"
