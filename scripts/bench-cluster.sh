#!/usr/bin/env bash
# bench-cluster.sh: what forwarding costs. Starts three MyRedis nodes on
# 127.0.0.1, 127.0.0.2 and 127.0.0.3 (one free port, each node with its own
# temporary directory) and one stand-alone node, runs redis-benchmark SET and
# GET with CLIENTS clients at -P PIPELINE against the stand-alone node,
# through node 127.0.0.1 (so about two thirds of the keys are forwarded), and
# as a cluster-aware client (redis-benchmark --cluster: it reads CLUSTER
# SLOTS and sends each key to its owner, as go-redis's ClusterClient does),
# and prints requests/s of each with its ratio to the stand-alone node. The
# target for the forwarded path is a ratio of at least 0.5. The processes
# are not pinned: the three nodes share the machine's CPUs.
#
# Settings (environment): REQUESTS, CLIENTS, PIPELINE, KEYSPACE, ROUNDS,
# MYREDIS (binary, default bin/my_redis).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MYREDIS=${MYREDIS:-$ROOT/bin/my_redis}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-/usr/bin/redis-benchmark}
REQUESTS=${REQUESTS:-500000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
KEYSPACE=${KEYSPACE:-100000}
ROUNDS=${ROUNDS:-3}

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

# free_port prints a port free on 127.0.0.1, .2 and .3, below Linux's
# ephemeral range (32768 and up), where a client connection's local port
# could take it between the check and the bind.
free_port() {
	local port h ok
	for _ in $(seq 50); do
		port=$(shuf -i 20000-32767 -n 1)
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

# rps HOST PORT TEST [ARGS...] prints redis-benchmark's requests per second.
rps() {
	local host=$1 port=$2 test=$3
	shift 3
	"$REDIS_BENCHMARK" -h "$host" -p "$port" -t "$test" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" \
		-r "$KEYSPACE" -q --csv "$@" | tail -n 1 | cut -d, -f2 | tr -d '"'
}

# median reads numbers, one per line, and prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

PORT=$(free_port)
MEMBERS="127.0.0.1:$PORT,127.0.0.2:$PORT,127.0.0.3:$PORT"
for i in 1 2 3; do
	start "127.0.0.$i" "$PORT" --self "127.0.0.$i:$PORT" --peers "$MEMBERS"
done
SOLO=$(free_port)
start 127.0.0.1 "$SOLO"

# Each round measures the three back to back; the ratios are per round, and
# the table shows medians over ROUNDS rounds.
printf '%-5s %14s %14s %7s %14s %7s\n' test "stand-alone" "forwarded" ratio "cluster-aware" ratio
for t in set get; do
	: >"$WORK/$t"
	for ((round = 1; round <= ROUNDS; round++)); do
		solo=$(rps 127.0.0.1 "$SOLO" "$t")
		fwd=$(rps 127.0.0.1 "$PORT" "$t")
		direct=$(rps 127.0.0.1 "$PORT" "$t" --cluster)
		echo "$solo $fwd $direct" >>"$WORK/$t"
	done
	col() { awk -v c="$1" '{ print $c }' "$WORK/$t" | median; }
	ratio() { awk -v c="$1" '{ print $c / $1 }' "$WORK/$t" | median; }
	printf '%-5s %14.0f %14.0f %7.2f %14.0f %7.2f\n' "$t" "$(col 1)" "$(col 2)" "$(ratio 2)" "$(col 3)" "$(ratio 3)"
done
