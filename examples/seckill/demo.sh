#!/usr/bin/env bash
# demo.sh: the seckill demo (make demo-seckill). Starts three nodes as a
# cluster with appendonly yes and appendfsync always, two web servers
# (seckill serve), two workers (seckill worker) and the embedded SQLite
# store; then seckill load sends ATTEMPTS buy attempts from USERS users
# (some repeating, some with forged tokens) at a stock of STOCK through both
# web servers. Mid-sale (once KILL_AT units are sold) it SIGKILLs worker 1
# and starts it again. It ends with one line computed by seckill audit from
# the nodes and the store, plus load's figures:
#   seckill: stock=1000 sold=1000 orders=1000 duplicates=0 oversold=0 forged_accepted=0 rps=… p99_ms=…
# and stops every process it started, by PID.
#
# The nodes are MyRedis (bin/my_redis on 127.0.0.1, .2 and .3, one port,
# self/peers), or, with SECKILL_SERVER_BIN=/usr/bin/redis-server, a real
# Redis Cluster of three masters on 127.0.0.1 (redis-cli --cluster create).
#
# Settings (environment): ATTEMPTS, USERS, STOCK, FORGED, KILL_AT, KEEP=1
# (leave the processes running to open the page; Ctrl-C stops them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECKILL=$ROOT/bin/seckill
SERVER_BIN=${SECKILL_SERVER_BIN:-$ROOT/bin/my_redis}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}
ATTEMPTS=${ATTEMPTS:-20000}
USERS=${USERS:-5000}
STOCK=${STOCK:-1000}
FORGED=${FORGED:-0.05}
KILL_AT=${KILL_AT:-300}

for p in "$SECKILL" "$SERVER_BIN" "$REDIS_CLI"; do
	[[ -x $p ]] || { echo "demo.sh: $p not found (make build; apt install redis-tools)" >&2; exit 1; }
done

PIDS=()
WORK=$(mktemp -d /tmp/seckill-demo.XXXXXX)
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "demo.sh: files kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "demo.sh: $*" >&2; }

# free_port prints a port free on 127.0.0.1, .2 and .3 whose cluster bus
# port (+10000) is free too, below Linux's ephemeral range.
free_port() {
	local port h ok
	for _ in $(seq 50); do
		port=$(shuf -i 20000-22000 -n 1)
		ok=1
		for h in 127.0.0.1 127.0.0.2 127.0.0.3; do
			for p in "$port" $((port + 1)) $((port + 2)) $((port + 10000)) $((port + 10001)) $((port + 10002)); do
				if (exec 3<>"/dev/tcp/$h/$p") 2>/dev/null; then ok=0; fi
			done
		done
		if ((ok)); then echo "$port"; return; fi
	done
	say "no free port"
	exit 1
}

# start NAME CMD... runs a process in the background, logging to WORK/NAME.log.
start() {
	local name=$1
	shift
	"$@" >"$WORK/$name.log" 2>&1 &
	PIDS+=($!)
	LAST_PID=$!
}

# wait_for DESCRIPTION CMD... retries CMD for up to 10 s.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 200); do
		"$@" >/dev/null 2>&1 && return
		sleep 0.05
	done
	say "$what did not come up; logs in $WORK"
	KEEP_WORK=1
	exit 1
}

PORT=$(free_port)
ADDRS=()
if "$SERVER_BIN" --version | grep -q '^Redis server'; then
	KIND="Redis $("$SERVER_BIN" --version | sed 's/.*v=\([^ ]*\).*/\1/') (cluster mode)"
	for i in 0 1 2; do
		p=$((PORT + i))
		mkdir -p "$WORK/node$i"
		start "node$i" "$SERVER_BIN" --bind 127.0.0.1 --port "$p" --dir "$WORK/node$i" --save '' \
			--appendonly yes --appendfsync always --cluster-enabled yes --cluster-config-file nodes.conf
		ADDRS+=("127.0.0.1:$p")
		wait_for "node 127.0.0.1:$p" "$REDIS_CLI" -p "$p" ping
	done
	"$REDIS_CLI" --cluster create "${ADDRS[@]}" --cluster-replicas 0 --cluster-yes >"$WORK/cluster-create.log" 2>&1
	for a in "${ADDRS[@]}"; do
		wait_for "cluster state on $a" bash -c "'$REDIS_CLI' -p ${a##*:} cluster info | grep -q cluster_state:ok"
	done
else
	KIND="MyRedis ($SERVER_BIN)"
	MEMBERS="127.0.0.1:$PORT,127.0.0.2:$PORT,127.0.0.3:$PORT"
	for i in 1 2 3; do
		mkdir -p "$WORK/node$i"
		start "node$i" "$SERVER_BIN" --bind "127.0.0.$i" --port "$PORT" --dir "$WORK/node$i" --save '' \
			--appendonly yes --appendfsync always --self "127.0.0.$i:$PORT" --peers "$MEMBERS"
		ADDRS+=("127.0.0.$i:$PORT")
		wait_for "node 127.0.0.$i:$PORT" "$REDIS_CLI" -h "127.0.0.$i" -p "$PORT" ping
	done
fi
say "nodes: ${ADDRS[*]}, $KIND, appendfsync always"

API1=$(free_port)
API2=$((API1 + 1))
SECRET=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
ADDRS_JSON=$(printf '"%s",' "${ADDRS[@]}")
cat >"$WORK/config.json" <<JSON
{
  "backend": {"api_port": $API1, "api_secret": "$SECRET"},
  "redis": {"addrs": [${ADDRS_JSON%,}], "password": ""},
  "sqlite": {"path": "seckill.db"},
  "products": [{"id": "phone", "stock": $STOCK}]
}
JSON
CONFIG=$WORK/config.json

start serve1 "$SECKILL" serve -config "$CONFIG" -port "$API1" -host 127.0.0.1
start serve2 "$SECKILL" serve -config "$CONFIG" -port "$API2" -host 127.0.0.1
for p in "$API1" "$API2"; do
	wait_for "seckill serve on port $p" curl -sf "http://127.0.0.1:$p/stock?pid=phone"
done
start worker1 "$SECKILL" worker -config "$CONFIG" -claim-idle 2s
WORKER1=$LAST_PID
start worker2 "$SECKILL" worker -config "$CONFIG" -claim-idle 2s
say "web servers: http://127.0.0.1:$API1/ and http://127.0.0.1:$API2/; workers: pids $WORKER1 $LAST_PID"

"$SECKILL" load -config "$CONFIG" -servers "http://127.0.0.1:$API1,http://127.0.0.1:$API2" \
	-n "$ATTEMPTS" -users "$USERS" -forged "$FORGED" >"$WORK/load.out" &
LOAD=$!
PIDS+=("$LOAD")

# Mid-sale: once KILL_AT units are sold, SIGKILL worker 1 and start it
# again; the orders it had read but not acknowledged stay pending until a
# worker claims them (XAUTOCLAIM, claim-idle 2s).
sold=0
while kill -0 "$LOAD" 2>/dev/null && ((sold < KILL_AT)); do
	sold=$(curl -s "http://127.0.0.1:$API1/stock?pid=phone" | sed -n 's/.*"sold":\([0-9]*\).*/\1/p')
	sold=${sold:-0}
done
kill -KILL "$WORKER1"
wait "$WORKER1" 2>/dev/null || true
start worker1b "$SECKILL" worker -config "$CONFIG" -claim-idle 2s
say "worker 1 (pid $WORKER1) SIGKILLed at sold=$sold, restarted as pid $LAST_PID"

wait "$LOAD"
LOAD_LINE=$(tail -n 1 "$WORK/load.out")
say "$LOAD_LINE"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$LOAD_LINE"; }

AUDIT=$("$SECKILL" audit -config "$CONFIG" -wait 60s) || {
	say "audit failed: $AUDIT"
	KEEP_WORK=1
	exit 1
}
claimed=$(cat "$WORK"/worker*.log | sed -n 's/.*claimed \([0-9]*\) pending orders.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
say "orders claimed from a dead worker: $claimed"
for a in "${ADDRS[@]}"; do
	stats=$("$REDIS_CLI" -h "${a%:*}" -p "${a##*:}" INFO commandstats | tr -d '\r' | grep '^cmdstat_evalsha:' || echo 'cmdstat_evalsha:none')
	say "$a ${stats#cmdstat_}"
done

echo "seckill: $AUDIT forged_accepted=$(field forged_accepted) rps=$(field rps) p99_ms=$(field p99_ms)"

if [[ ${KEEP:-0} == 1 ]]; then
	say "KEEP=1: open http://127.0.0.1:$API1/ in a browser; Ctrl-C stops everything"
	while :; do sleep 1; done
fi
