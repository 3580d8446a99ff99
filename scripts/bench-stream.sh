#!/usr/bin/env bash
# bench-stream.sh: streams, MyRedis next to Debian's redis-server (issue #15).
#
# Starts both servers (see bench.sh) and measures, in one run:
#   memory      bytes per entry of ENTRIES small entries (XADD bench:m <i>-1
#               f v, loaded with redis-cli --pipe): the growth of each
#               server's resident set size over the load, divided by
#               ENTRIES, and the MyRedis/Redis ratio; measured right after
#               the load, and again after MEMORY PURGE on both servers
#               (what the stream keeps, without the load's garbage that
#               Go's collector has not returned yet);
#   xadd        redis-benchmark of XADD bench:s * f v (the stream emptied
#               before each run and checked to hold every entry after it);
#   xrange_100  redis-benchmark of XRANGE bench:r - + COUNT 100 over a
#               stream of 1000 entries (XRANGE_REQUESTS requests: each
#               reply is 100 entries, redis-benchmark's own parsing is the
#               bottleneck at a few thousand a second);
# both with CLIENTS clients, ROUNDS rounds at each pipeline depth of
# PIPELINES; then the consumer loop, BenchmarkStreamConsumers in
# tests/bench_stream_test.go (1 producer, 4 consumers with XREADGROUP COUNT
# 100 + XACK, messages per second end to end, MESSAGES messages, 7 runs
# per server). It prints bench.sh's table (medians of requests/s and
# latencies, the MyRedis/Redis throughput ratio and the server CPU per
# request ratio), the memory table and the consumer loop's table.
#
# A MyRedis without streams (XADD answers "unknown command"), or one that
# fails a check, is reported as such and its columns stay empty ("-");
# Redis's are measured all the same.
#
# Settings (environment): REQUESTS, XRANGE_REQUESTS, CLIENTS, ROUNDS,
# PIPELINES (space separated), ENTRIES, MESSAGES, MYREDIS (binary, default
# bin/my_redis).
set -euo pipefail

# shellcheck source=bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

declare -A SKIP   # "server test" -> why that test is not measured on that server
declare -A PERKEY PURGED # bytes per entry, by server: after the load, after MEMORY PURGE

# cli PORT ARGS... runs one command with redis-cli and prints its reply.
cli() {
	local port=$1 out
	shift
	out=$("$REDIS_CLI" -h 127.0.0.1 -p "$port" "$@" 2>&1)
	printf '%s\n' "${out%"${out##*[![:space:]]}"}"
}

# fail SERVER TEST MESSAGE stops the benchmark on Redis; on MyRedis it
# reports the failure and skips TEST from then on.
fail() {
	[[ $1 == redis ]] && die "redis: $2: $3"
	echo "$1: $2 failed: $3" >&2
	SKIP[$1 $2]="failed: $3"
}

# prepare SERVER PORT checks that a server has streams (else every test is
# skipped on it) and fills bench:r for xrange_100.
prepare() {
	local server=$1 port=$2 probe out test
	probe=$(cli "$port" XADD bench:probe NOMKSTREAM '*' f v)
	if [[ $probe == *"unknown command"* ]]; then
		for test in memory xadd xrange_100; do
			SKIP[$server $test]="no streams (XADD answers: $probe)"
		done
		if [[ $server == redis ]]; then
			die "redis: $probe"
		fi
		return 0
	fi
	awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "*5\r\n$4\r\nXADD\r\n$7\r\nbench:r\r\n$%d\r\n%d-1\r\n$1\r\nf\r\n$1\r\nv\r\n", length(i) + 2, i }' |
		"$REDIS_CLI" -p "$port" --pipe >"$WORK/fill.out" 2>&1 || true
	out=$(cli "$port" XLEN bench:r)
	[[ $out == 1000 ]] || fail "$server" xrange_100 "XLEN bench:r after the fill is $out"
}

# rss_bytes PID prints the resident set size of a process in bytes.
rss_bytes() {
	awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

# measure_memory SERVER PID PORT loads ENTRIES entries into bench:m and
# sets PERKEY[SERVER] to the resident set's growth per entry.
measure_memory() {
	local server=$1 pid=$2 port=$3 before after out len
	[[ -z ${SKIP[$server memory]:-} ]] || return 0
	before=$(rss_bytes "$pid")
	out=$("$REDIS_CLI" -p "$port" --pipe <"$WORK/entries.resp" 2>&1) || true
	len=$(cli "$port" XLEN bench:m)
	if ! grep -q "errors: 0, replies: $ENTRIES" <<<"$out" || [[ $len != "$ENTRIES" ]]; then
		fail "$server" memory "redis-cli --pipe: $(tail -1 <<<"$out"); XLEN bench:m is $len"
		return 0
	fi
	after=$(rss_bytes "$pid")
	PERKEY[$server]=$(awk -v a="$after" -v b="$before" -v n="$ENTRIES" 'BEGIN { printf "%.1f", (a - b) / n }')
	cli "$port" MEMORY PURGE >/dev/null
	sleep 1
	after=$(rss_bytes "$pid")
	PURGED[$server]=$(awk -v a="$after" -v b="$before" -v n="$ENTRIES" 'BEGIN { printf "%.1f", (a - b) / n }')
	cli "$port" DEL bench:m >/dev/null
}

# command_of TEST prints the redis-benchmark command line of a test, one
# word per line.
command_of() {
	case $1 in
	xadd) printf '%s\n' XADD bench:s '*' f v ;;
	xrange_100) printf '%s\n' XRANGE bench:r - + COUNT 100 ;;
	esac
}

# run_stream_benchmark SERVER PORT PIPELINE ROUND TEST runs one
# redis-benchmark of TEST and appends its row to $WORK/results, in
# bench.sh's format.
run_stream_benchmark() {
	local server=$1 port=$2 pipeline=$3 round=$4 test=$5 pid before len n=$REQUESTS
	local -a cmd
	[[ -z ${SKIP[$server $test]:-} ]] || return 0
	mapfile -t cmd < <(command_of "$test")
	[[ $test == xrange_100 ]] && n=$XRANGE_REQUESTS
	pid=$MY_PID
	[[ $server == redis ]] && pid=$REDIS_PID
	cli "$port" DEL bench:s >/dev/null
	before=$(cpu_ticks "$pid")
	if ! "${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$n" \
		-P "$pipeline" --csv -q "${cmd[@]}" 2>"$WORK/benchmark.err" >"$WORK/run.csv" ||
		grep -qi err "$WORK/benchmark.err"; then
		fail "$server" "$test" "redis-benchmark -P $pipeline: $(grep -i err "$WORK/benchmark.err" | head -1)"
		return 0
	fi
	if [[ $test == xadd ]]; then
		len=$(cli "$port" XLEN bench:s)
		if [[ $len != "$REQUESTS" ]]; then
			fail "$server" "$test" "-P $pipeline: XLEN bench:s is $len after $REQUESTS XADDs"
			return 0
		fi
	fi
	awk -F, -v OFS='\t' -v t="$test" -v server="$server" -v p="$pipeline" -v r="$round" \
		-v ticks="$(($(cpu_ticks "$pid") - before))" -v n="$n" '
		NR == 2 { gsub(/"/, ""); printf "%s\t%.2f\n", t OFS p OFS server OFS r OFS $2 OFS $5 OFS $7, ticks * 1e4 / n }' \
		"$WORK/run.csv" >>"$WORK/results"
}

main_stream() {
	REQUESTS=${REQUESTS:-200000}
	XRANGE_REQUESTS=${XRANGE_REQUESTS:-20000}
	CLIENTS=${CLIENTS:-50}
	ROUNDS=${ROUNDS:-3}
	PIPELINES=${PIPELINES:-1 16}
	ENTRIES=${ENTRIES:-1000000}
	MESSAGES=${MESSAGES:-200000}
	local tests=(xadd xrange_100)
	local round pipeline server order test
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI" "$REDIS_BENCHMARK"
	setup
	start_both
	echo "redis pid $REDIS_PID port $REDIS_PORT; myredis pid $MY_PID port $MY_PORT;" \
		"pinning: ${PIN_SERVER[*]:-none}; $REQUESTS requests ($XRANGE_REQUESTS for XRANGE), $CLIENTS clients, $ROUNDS rounds," \
		"$ENTRIES entries for memory, $MESSAGES messages for the consumer loop" >&2
	prepare redis "$REDIS_PORT"
	prepare myredis "$MY_PORT"

	echo "memory: $ENTRIES entries" >&2
	awk -v n="$ENTRIES" 'BEGIN { for (i = 1; i <= n; i++) printf "*5\r\n$4\r\nXADD\r\n$7\r\nbench:m\r\n$%d\r\n%d-1\r\n$1\r\nf\r\n$1\r\nv\r\n", length(i) + 2, i }' >"$WORK/entries.resp"
	measure_memory redis "$REDIS_PID" "$REDIS_PORT"
	measure_memory myredis "$MY_PID" "$MY_PORT"
	rm -f "$WORK/entries.resp"

	: >"$WORK/results"
	for ((round = 1; round <= ROUNDS; round++)); do
		order="redis myredis"
		((round % 2 == 0)) && order="myredis redis"
		for pipeline in $PIPELINES; do
			echo "round $round, -P $pipeline" >&2
			for test in "${tests[@]}"; do
				for server in $order; do
					if [[ $server == redis ]]; then
						run_stream_benchmark redis "$REDIS_PORT" "$pipeline" "$round" "$test"
					else
						run_stream_benchmark myredis "$MY_PORT" "$pipeline" "$round" "$test"
					fi
				done
			done
		done
	done
	print_table
	echo
	printf "%-16s %14s %14s %7s\n" "memory" "redis" "myredis" ratio
	for row in "bytes/entry ${PERKEY[redis]:--} ${PERKEY[myredis]:--}" "after purge ${PURGED[redis]:--} ${PURGED[myredis]:--}"; do
		awk -v row="$row" 'BEGIN {
			n = split(row, f, " "); r = f[n - 1]; m = f[n]; name = f[1] (n > 3 ? " " f[2] : "")
			ratio = (r + 0 > 0 && m != "-") ? sprintf("%.2f", m / r) : "-"
			printf "%-16s %14s %14s %7s\n", name, r, m, ratio }'
	done
	for test in memory "${tests[@]}"; do
		[[ -z ${SKIP[myredis $test]:-} ]] || echo "myredis: $test not measured (its columns show -): ${SKIP[myredis $test]}"
	done

	echo
	echo "consumer loop (BenchmarkStreamConsumers), $MESSAGES messages per run:" >&2
	(cd "$ROOT" && MYREDIS_BIN=$MYREDIS MYREDIS_STREAM_MESSAGES=$MESSAGES go test ./tests -run '^$' \
		-bench '^BenchmarkStreamConsumers$' -benchtime 1x -v) |
		awk '/BenchmarkStreamConsumers +myredis/, /median server CPU/ { sub(/^ +/, ""); print }
			/not measured/ { sub(/^ +/, ""); print }'
}

main_stream "$@"
