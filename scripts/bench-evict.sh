#!/usr/bin/env bash
# bench-evict.sh: the cache workload, MyRedis next to Debian's redis-server,
# both with maxmemory 64mb: GET, and on a miss SET of a 1 KB value, over
# keys drawn from a Zipf distribution (s = 0.99) over ten times more keys
# than fit, for allkeys-lru and allkeys-lfu. For each server and policy it
# prints the hit ratio, the requests/s, the evicted keys and the peak RSS
# next to maxmemory, then the MyRedis/Redis ratios. It makes ROUNDS rounds,
# each running both servers back to back for each policy, and the ratios
# are the medians of the rounds' ratios. The driver is scripts/benchevict
# (50 connections, bounded request counts).
#
# Both servers get the same settings: maxmemory, the policy, and
# disable-thp (DISABLE_THP, default no). With "no" MyRedis asks for huge
# pages for its heap; Redis, on a kernel set to "madvise", uses none either
# way (see README, disable-thp). DISABLE_THP=yes runs both on defaults.
#
# Settings (environment): MAXMEMORY (default 64mb), KEYS (default 600000:
# about ten times the 1 KB values 64 MB holds), WARMUP, REQUESTS, ROUNDS
# (default 3), DISABLE_THP, MYREDIS.
set -euo pipefail

# shellcheck source=scripts/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

declare -A RESULT # "server policy round" -> "hit rps"

# run_one NAME PID PORT POLICY ROUND drives one server and prints its row.
run_one() {
	local name=$1 pid=$2 port=$3 policy=$4 round=$5 out peak=0 rss
	"${PIN_CLIENT[@]}" "$WORK/benchevict" -addr "127.0.0.1:$port" -keys "$KEYS" \
		-warmup "$WARMUP" -requests "$REQUESTS" -pid "$pid" >"$WORK/out" &
	local driver=$!
	while kill -0 "$driver" 2>/dev/null; do
		rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status")
		((rss > peak)) && peak=$rss
		sleep 0.1
	done
	wait "$driver" || die "$name: the driver failed"
	out=$(cat "$WORK/out")
	local hit rps cpu evicted used
	hit=$(sed -E 's/.*hit_ratio=([^ ]*).*/\1/' <<<"$out")
	rps=$(sed -E 's/.*rps=([^ ]*).*/\1/' <<<"$out")
	cpu=$(sed -E 's/.*cpu_us_per_cmd=([^ ]*).*/\1/' <<<"$out")
	evicted=$(sed -E 's/.*evicted_keys=([^ ]*).*/\1/' <<<"$out")
	used=$(sed -E 's/.*used_memory=([^ ]*).*/\1/' <<<"$out")
	RESULT["$name $policy $round"]="$hit $rps $cpu"
	printf "%-14s %5s %-8s %9s %10s %8s %10s %10s %9s %8s\n" "$policy" "$round" "$name" "$hit" "$rps" "$cpu" "$evicted" \
		"$((used >> 20))MB" "$((peak >> 20))MB" \
		"$(awk -v p="$peak" -v m="$MAXBYTES" 'BEGIN { printf "%.2f", p / m }')"
}

main_evict() {
	MAXMEMORY=${MAXMEMORY:-64mb}
	KEYS=${KEYS:-600000}
	WARMUP=${WARMUP:-300000}
	REQUESTS=${REQUESTS:-300000}
	ROUNDS=${ROUNDS:-3}
	DISABLE_THP=${DISABLE_THP:-no}
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI"
	setup
	(cd "$ROOT" && go build -o "$WORK/benchevict" ./scripts/benchevict)
	local settings=(--maxmemory "$MAXMEMORY" --disable-thp "$DISABLE_THP")
	echo "both servers: ${settings[*]} --maxmemory-policy <policy>; $ROUNDS rounds"
	printf "%-14s %5s %-8s %9s %10s %8s %10s %10s %9s %8s\n" policy round server "hit ratio" "req/s" "CPU µs" evicted used_mem "peak RSS" RSS/max
	local policy round
	for ((round = 1; round <= ROUNDS; round++)); do
		for policy in allkeys-lru allkeys-lfu; do
			start_server redis "$REDIS_SERVER" --save "" "${settings[@]}" --maxmemory-policy "$policy"
			local rpid=$SERVER_PID rport=$SERVER_PORT
			MAXBYTES=$("$REDIS_CLI" -p "$rport" config get maxmemory | tail -1)
			run_one redis "$rpid" "$rport" "$policy" "$round"
			kill "$rpid"
			start_server myredis "$MYREDIS" "${settings[@]}" --maxmemory-policy "$policy"
			local mpid=$SERVER_PID mport=$SERVER_PORT
			run_one myredis "$mpid" "$mport" "$policy" "$round"
			kill "$mpid"
		done
	done
	echo
	echo "CPU µs: the server's CPU time (user + system) per command (GET, or SET after a miss) while measured"
	local rh rr rc mh mr mc hits ratios cpus
	for policy in allkeys-lru allkeys-lfu; do
		hits="" ratios="" cpus=""
		for ((round = 1; round <= ROUNDS; round++)); do
			read -r rh rr rc <<<"${RESULT[redis $policy $round]}"
			read -r mh mr mc <<<"${RESULT[myredis $policy $round]}"
			hits+=$(awk -v a="$mh" -v b="$rh" 'BEGIN { printf "%.3f\n", a / b }')$'\n'
			ratios+=$(awk -v a="$mr" -v b="$rr" 'BEGIN { printf "%.2f\n", a / b }')$'\n'
			cpus+=$(awk -v a="$mc" -v b="$rc" 'BEGIN { printf "%.2f\n", a / b }')$'\n'
		done
		printf "%-14s hit ratio myredis/redis %s   throughput myredis/redis %s (rounds: %s)   CPU per command myredis/redis %s (rounds: %s)\n" \
			"$policy" "$(printf %s "$hits" | median)" "$(printf %s "$ratios" | median)" "$(echo $ratios)" \
			"$(printf %s "$cpus" | median)" "$(echo $cpus)"
	done
}

main_evict "$@"
