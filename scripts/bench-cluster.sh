#!/usr/bin/env bash
# bench-cluster.sh: what forwarding costs. Starts three MyRedis nodes on
# 127.0.0.1, 127.0.0.2 and 127.0.0.3 (one free port, each node with its own
# temporary directory) and one stand-alone node, runs redis-benchmark SET and
# GET with CLIENTS clients at -P PIPELINE through node 127.0.0.1 (so about two
# thirds of the keys are forwarded) and against the stand-alone node, and
# prints requests/s of each with the cluster/stand-alone ratio. The target is
# a ratio of at least 0.5.
#
# Settings (environment): REQUESTS, CLIENTS, PIPELINE, KEYSPACE, MYREDIS
# (binary, default bin/my_redis).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MYREDIS=${MYREDIS:-$ROOT/bin/my_redis}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-/usr/bin/redis-benchmark}
REQUESTS=${REQUESTS:-500000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
KEYSPACE=${KEYSPACE:-100000}

for p in "$MYREDIS" "$REDIS_CLI" "$REDIS_BENCHMARK"; do
	[[ -x $p ]] || { echo "bench-cluster.sh: $p not found (make build; apt install redis-tools)" >&2; exit 1; }
done

PIDS=()
WORK=$(mktemp -d)
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# free_port prints a port free on 127.0.0.1, .2 and .3.
free_port() {
	local port h ok
	for _ in $(seq 50); do
		port=$(shuf -i 20000-60000 -n 1)
		ok=1
		for h in 127.0.0.1 127.0.0.2 127.0.0.3; do
			if (exec 3<>"/dev/tcp/$h/$port") 2>/dev/null; then ok=0; fi
		done
		if ((ok)); then echo "$port"; return; fi
	done
	echo "bench-cluster.sh: no free port" >&2
	exit 1
}

# start HOST PORT [directives...] runs a node and waits for PING.
start() {
	local host=$1 port=$2 dir
	shift 2
	dir="$WORK/$host-$port"
	mkdir -p "$dir"
	"$MYREDIS" --bind "$host" --port "$port" --dir "$dir" --save '' --loglevel warning "$@" >"$dir/log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 200); do
		"$REDIS_CLI" -h "$host" -p "$port" ping >/dev/null 2>&1 && return
		sleep 0.05
	done
	echo "bench-cluster.sh: node $host:$port did not start; log:" >&2
	cat "$dir/log" >&2
	exit 1
}

# rps HOST PORT TEST prints redis-benchmark's requests per second.
rps() {
	"$REDIS_BENCHMARK" -h "$1" -p "$2" -t "$3" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" \
		-r "$KEYSPACE" -q --csv | tail -n 1 | cut -d, -f2 | tr -d '"'
}

PORT=$(free_port)
MEMBERS="127.0.0.1:$PORT,127.0.0.2:$PORT,127.0.0.3:$PORT"
for i in 1 2 3; do
	start "127.0.0.$i" "$PORT" --self "127.0.0.$i:$PORT" --peers "$MEMBERS"
done
SOLO=$(free_port)
start 127.0.0.1 "$SOLO"

printf '%-5s %16s %16s %7s\n' test "stand-alone rps" "cluster rps" ratio
for t in set get; do
	solo=$(rps 127.0.0.1 "$SOLO" "$t")
	clus=$(rps 127.0.0.1 "$PORT" "$t")
	printf '%-5s %16s %16s %7.2f\n' "$t" "$solo" "$clus" "$(echo "$clus / $solo" | bc -l)"
done
