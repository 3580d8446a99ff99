#!/usr/bin/env bash
# bench-evict.sh: the cache workload, MyRedis next to Debian's redis-server,
# both with maxmemory 64mb: GET, and on a miss SET of a 1 KB value, over
# keys drawn from a Zipf distribution (s = 0.99) over ten times more keys
# than fit, for allkeys-lru and allkeys-lfu. For each server and policy it
# prints the hit ratio, the requests/s, the evicted keys and the peak RSS
# next to maxmemory, then the MyRedis/Redis ratios. The driver is
# scripts/benchevict (50 connections, bounded request counts).
#
# Settings (environment): MAXMEMORY (default 64mb), KEYS (default 600000:
# about ten times the 1 KB values 64 MB holds), WARMUP, REQUESTS, MYREDIS.
set -euo pipefail

# shellcheck source=scripts/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

declare -A RESULT # "server policy" -> "hit rps"

# run_one NAME PID PORT POLICY drives one server and prints its row.
run_one() {
	local name=$1 pid=$2 port=$3 policy=$4 out peak=0 rss
	"${PIN_CLIENT[@]}" "$WORK/benchevict" -addr "127.0.0.1:$port" -keys "$KEYS" \
		-warmup "$WARMUP" -requests "$REQUESTS" >"$WORK/out" &
	local driver=$!
	while kill -0 "$driver" 2>/dev/null; do
		rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status")
		((rss > peak)) && peak=$rss
		sleep 0.1
	done
	wait "$driver" || die "$name: the driver failed"
	out=$(cat "$WORK/out")
	local hit rps evicted used
	hit=$(sed -E 's/.*hit_ratio=([^ ]*).*/\1/' <<<"$out")
	rps=$(sed -E 's/.*rps=([^ ]*).*/\1/' <<<"$out")
	evicted=$(sed -E 's/.*evicted_keys=([^ ]*).*/\1/' <<<"$out")
	used=$(sed -E 's/.*used_memory=([^ ]*).*/\1/' <<<"$out")
	RESULT["$name $policy"]="$hit $rps"
	printf "%-14s %-8s %9s %10s %10s %10s %9s %8s\n" "$policy" "$name" "$hit" "$rps" "$evicted" \
		"$((used >> 20))MB" "$((peak >> 20))MB" \
		"$(awk -v p="$peak" -v m="$MAXBYTES" 'BEGIN { printf "%.2f", p / m }')"
}

main_evict() {
	MAXMEMORY=${MAXMEMORY:-64mb}
	KEYS=${KEYS:-600000}
	WARMUP=${WARMUP:-300000}
	REQUESTS=${REQUESTS:-300000}
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI"
	setup
	(cd "$ROOT" && go build -o "$WORK/benchevict" ./scripts/benchevict)
	printf "%-14s %-8s %9s %10s %10s %10s %9s %8s\n" policy server "hit ratio" "req/s" evicted used_mem "peak RSS" RSS/max
	local policy
	for policy in allkeys-lru allkeys-lfu; do
		start_server redis "$REDIS_SERVER" --save "" --maxmemory "$MAXMEMORY" --maxmemory-policy "$policy"
		local rpid=$SERVER_PID rport=$SERVER_PORT
		MAXBYTES=$("$REDIS_CLI" -p "$rport" config get maxmemory | tail -1)
		run_one redis "$rpid" "$rport" "$policy"
		kill "$rpid"
		start_server myredis "$MYREDIS" --maxmemory "$MAXMEMORY" --maxmemory-policy "$policy"
		local mpid=$SERVER_PID mport=$SERVER_PORT
		run_one myredis "$mpid" "$mport" "$policy"
		kill "$mpid"
	done
	echo
	for policy in allkeys-lru allkeys-lfu; do
		read -r rh rr <<<"${RESULT[redis $policy]}"
		read -r mh mr <<<"${RESULT[myredis $policy]}"
		awk -v p="$policy" -v rh="$rh" -v rr="$rr" -v mh="$mh" -v mr="$mr" \
			'BEGIN { printf "%-14s hit ratio myredis/redis %.3f   throughput myredis/redis %.2f\n", p, mh / rh, mr / rr }'
	done
}

main_evict "$@"
