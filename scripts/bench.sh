#!/usr/bin/env bash
# bench.sh: throughput and latency of MyRedis next to Debian's redis-server.
#
# Starts both servers on free loopback ports (each with its own temporary
# directory, no persistence), runs redis-benchmark against them in turn for
# ROUNDS rounds at each pipeline depth, and prints the median requests/s, p50
# and p99 latency of each, with the median MyRedis/Redis throughput ratio of
# runs made back to back. With two or more CPUs the servers run on core 0 and
# redis-benchmark on core 1.
#
# Settings (environment): TESTS (redis-benchmark -t list), REQUESTS, CLIENTS,
# ROUNDS, PIPELINES (space separated), MYREDIS (binary, default bin/my_redis).
#
# bench-mem.sh sources this file for its server helpers; only running it
# directly runs the benchmark.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MYREDIS=${MYREDIS:-$ROOT/bin/my_redis}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-/usr/bin/redis-benchmark}

PIDS=()  # servers started by this script, stopped on exit
WORK=""  # temporary directory of this run

# die prints its arguments and exits non-zero.
die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# require checks that each named program is executable.
require() {
	local p
	for p in "$@"; do
		[[ -x $p ]] || die "$p not found (build MyRedis with 'make build'; install redis-server/redis-tools for Redis)"
	done
}

# setup creates the work directory and the exit trap that stops the servers.
setup() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/myredis-bench.XXXXXX")
	trap cleanup EXIT
	PIN_SERVER=()
	PIN_CLIENT=()
	if [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null; then
		PIN_SERVER=(taskset -c 0)
		PIN_CLIENT=(taskset -c 1)
	fi
}

# cleanup stops every server this script started (SIGTERM, then SIGKILL
# after 5 s) and removes the work directory.
cleanup() {
	local pid i
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	[[ -n $WORK ]] && rm -rf "$WORK"
}

# port_in_use reports whether something listens on the loopback port.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server NAME BINARY [ARGS...] starts a server on a free port and sets
# SERVER_PID and SERVER_PORT once it answers PING. A port taken between the
# check and the bind makes the server exit, and another port is tried.
start_server() {
	local name=$1 bin=$2
	shift 2
	local dir="$WORK/$name" port attempt i
	mkdir -p "$dir"
	for ((attempt = 0; attempt < 5; attempt++)); do
		port=$((20000 + RANDOM % 12768)) # below the ephemeral range
		port_in_use "$port" && continue
		"${PIN_SERVER[@]}" "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly no "$@" \
			>"$dir/server.log" 2>&1 &
		SERVER_PID=$!
		SERVER_PORT=$port
		PIDS+=("$SERVER_PID")
		for ((i = 0; i < 100; i++)); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			if [[ $("$REDIS_CLI" -p "$port" ping 2>/dev/null) == PONG ]]; then
				return 0
			fi
			sleep 0.1
		done
		kill -0 "$SERVER_PID" 2>/dev/null && die "$name did not answer PING on port $port; log: $(tail -5 "$dir/server.log")"
	done
	die "$name could not start; log: $(tail -5 "$dir/server.log")"
}

# start_both starts Redis and MyRedis; it sets REDIS_PID, REDIS_PORT,
# MY_PID and MY_PORT.
start_both() {
	start_server redis "$REDIS_SERVER" --save ""
	REDIS_PID=$SERVER_PID REDIS_PORT=$SERVER_PORT
	start_server myredis "$MYREDIS"
	MY_PID=$SERVER_PID MY_PORT=$SERVER_PORT
}

# median reads numbers, one per line, and prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cpu_ticks PID prints the CPU time (user + system) process PID has used, in
# clock ticks (1/100 s).
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# run_benchmark SERVER PORT PIPELINE ROUND TESTS appends one TSV row per test
# to $WORK/results: test, pipeline, server, round, rps, p50 ms, p99 ms, and
# the server's CPU microseconds per request over the whole redis-benchmark
# run (for LRANGE, its LPUSH fill included).
run_benchmark() {
	local server=$1 port=$2 pipeline=$3 round=$4 tests=$5 pid before
	pid=$MY_PID
	[[ $server == redis ]] && pid=$REDIS_PID
	before=$(cpu_ticks "$pid")
	"${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$REQUESTS" \
		-t "$tests" -P "$pipeline" --csv -q 2>"$WORK/benchmark.err" >"$WORK/run.csv"
	# CSV columns: test, rps, avg, min, p50, p95, p99, max; the first row is a header.
	awk -F, -v OFS='\t' -v server="$server" -v p="$pipeline" -v r="$round" \
		-v ticks="$(($(cpu_ticks "$pid") - before))" -v n="$REQUESTS" '
		NR > 1 { gsub(/"/, ""); row[NR] = $1 OFS p OFS server OFS r OFS $2 OFS $5 OFS $7 }
		END { for (i = 2; i <= NR; i++) printf "%s\t%.2f\n", row[i], ticks * 1e4 / (n * (NR - 1)) }' \
		"$WORK/run.csv" >>"$WORK/results"
	if grep -qi err "$WORK/benchmark.err"; then
		cat "$WORK/benchmark.err" >&2
		die "redis-benchmark reported errors against $server"
	fi
}

# paired_ratios TEST PIPELINE [COLUMN] prints, one per line, the
# MyRedis/Redis ratio of COLUMN (default 5, requests/s) for each pair of runs
# of TEST in $WORK/results: the runs of one round, paired in the order they
# ran when a test repeats within a round (redis-benchmark's LPUSH before
# every LRANGE).
paired_ratios() {
	awk -F'\t' -v t="$1" -v p="$2" -v c="${3:-5}" '
		$1 == t && $2 == p { rps[$3, $4, ++n[$3, $4]] = $c }
		END {
			for (k in rps) {
				split(k, f, SUBSEP)
				if (f[1] == "myredis" && (("redis", f[2], f[3]) in rps) && rps["redis", f[2], f[3]] > 0)
					printf "%.2f\n", rps[k] / rps["redis", f[2], f[3]]
			}
		}' "$WORK/results"
}

# print_table prints the medians over rounds of $WORK/results: requests/s and
# latencies of each server, and the medians of the per-round ratios of
# throughput and of server CPU per request (cpu ratio: below 1, MyRedis
# spends less CPU per request than Redis).
print_table() {
	local fmt="%-16s %3s %12s %12s %7s %9s %9s %9s %9s %9s\n"
	local test pipeline server
	# shellcheck disable=SC2059
	printf "$fmt" test P "redis rps" "myredis rps" ratio "redis p50" "my p50" "redis p99" "my p99" "cpu ratio"
	cut -f1,2 "$WORK/results" | awk '!seen[$0]++' | while IFS=$'\t' read -r test pipeline; do
		declare -A m=()
		for server in redis myredis; do
			for col in 5:rps 6:p50 7:p99; do
				m[$server.${col#*:}]=$(awk -F'\t' -v t="$test" -v p="$pipeline" -v s="$server" -v c="${col%%:*}" \
					'$1 == t && $2 == p && $3 == s { print $c }' "$WORK/results" | median)
			done
		done
		# shellcheck disable=SC2059
		printf "$fmt" "$test" "$pipeline" "${m[redis.rps]}" "${m[myredis.rps]}" \
			"$(paired_ratios "$test" "$pipeline" | median)" \
			"${m[redis.p50]}" "${m[myredis.p50]}" "${m[redis.p99]}" "${m[myredis.p99]}" \
			"$(paired_ratios "$test" "$pipeline" 8 | median)"
	done
}

main() {
	TESTS=${TESTS:-set,get,incr,mset,ping_mbulk,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300,lrange_600}
	REQUESTS=${REQUESTS:-200000}
	CLIENTS=${CLIENTS:-50}
	ROUNDS=${ROUNDS:-3}
	PIPELINES=${PIPELINES:-1 16}
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI" "$REDIS_BENCHMARK"
	setup
	start_both
	echo "redis pid $REDIS_PID port $REDIS_PORT; myredis pid $MY_PID port $MY_PORT;" \
		"pinning: ${PIN_SERVER[*]:-none}; tests: $TESTS; $REQUESTS requests, $CLIENTS clients, $ROUNDS rounds" >&2
	run_rounds ""
	print_table
}

# run_rounds LABEL runs ROUNDS rounds at each pipeline depth of PIPELINES
# against Redis (REDIS_PORT) and MyRedis (MY_PORT). Each test runs on both
# servers back to back, so a slow spell of this shared machine hits both
# sides of a ratio alike; which server goes first alternates by round.
# LABEL prefixes the progress lines.
run_rounds() {
	local label=$1 round pipeline server order test
	local -a tests
	IFS=, read -ra tests <<<"$TESTS"
	for ((round = 1; round <= ROUNDS; round++)); do
		order="redis myredis"
		((round % 2 == 0)) && order="myredis redis"
		for pipeline in $PIPELINES; do
			echo "${label}round $round, -P $pipeline" >&2
			for test in "${tests[@]}"; do
				for server in $order; do
					if [[ $server == redis ]]; then
						run_benchmark redis "$REDIS_PORT" "$pipeline" "$round" "$test"
					else
						run_benchmark myredis "$MY_PORT" "$pipeline" "$round" "$test"
					fi
				done
			done
		done
	done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
