#!/usr/bin/env bash
# bench-script.sh: scripting throughput of MyRedis next to Debian's
# redis-server (issue #14).
#
# Starts both servers (see bench.sh), loads the same scripts and function
# library into each, and runs redis-benchmark against them in turn, ROUNDS
# rounds at each pipeline depth of PIPELINES, for:
#   evalsha_return1  EVALSHA of "return 1"
#   evalsha_seckill  EVALSHA of the seckill script for user:__rand_int__
#   fcall_seckill    FCALL of the same code, loaded as a function
# The seckill code reads the stock (GET), checks that the user has not
# bought (SISMEMBER), and sells one unit (DECR, SADD). The stock is far
# larger than a run and the buyers set starts empty before every run, so
# that each run does the same work; after a run the stock must have gone
# down by the number of buyers. It prints bench.sh's table: medians of
# requests/s and latencies, the MyRedis/Redis throughput ratio and the
# server CPU per request ratio, then each server's resident set size
# before and after all the runs.
#
# A MyRedis without scripting (EVAL answers "unknown command"), or one
# that fails a test, is reported as such and its columns stay empty ("-");
# Redis's are measured all the same.
#
# Settings (environment): REQUESTS, CLIENTS, ROUNDS, PIPELINES (space
# separated), USERS (the range of __rand_int__), MYREDIS (binary, default
# bin/my_redis).
set -euo pipefail

# shellcheck source=bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

# The seckill code, shared by the script and the function: K holds the
# keys (the stock, the buyers set), A the arguments (the user).
SECKILL_BODY='local stock = tonumber(redis.call("GET", K[1]))
if stock == nil or stock <= 0 then return -1 end
if redis.call("SISMEMBER", K[2], A[1]) == 1 then return -2 end
redis.call("DECR", K[1])
redis.call("SADD", K[2], A[1])
return stock - 1'
RETURN1_SCRIPT='return 1'
SECKILL_SCRIPT="local K, A = KEYS, ARGV
$SECKILL_BODY"
SECKILL_LIBRARY="#!lua name=benchseckill
redis.register_function('seckill', function(K, A)
$SECKILL_BODY
end)"
STOCK=1000000000 # never sold out within a run

declare -A SKIP # "server test" -> why that test is not measured on that server

# cli PORT ARGS... runs one command with redis-cli and prints its reply
# (an error reply as its text, e.g. "ERR unknown command ...").
cli() {
	local port=$1 out
	shift
	out=$("$REDIS_CLI" -h 127.0.0.1 -p "$port" "$@" 2>&1)
	printf '%s\n' "${out%"${out##*[![:space:]]}"}"
}

# prepare SERVER PORT loads the scripts and the library into one server
# and checks each test's command once. A server that cannot run a test
# gets a SKIP entry for it (Redis must run them all). It sets
# SHA_RETURN1 and SHA_SECKILL.
prepare() {
	local server=$1 port=$2 probe sha1 sha2 lib
	probe=$(cli "$port" EVAL "return 1" 0)
	if [[ $probe != 1 ]]; then
		for test in evalsha_return1 evalsha_seckill fcall_seckill; do
			SKIP[$server $test]="no scripting (EVAL \"return 1\" 0 answers: $probe)"
		done
		return
	fi
	sha1=$(cli "$port" SCRIPT LOAD "$RETURN1_SCRIPT")
	sha2=$(cli "$port" SCRIPT LOAD "$SECKILL_SCRIPT")
	lib=$(cli "$port" FUNCTION LOAD REPLACE "$SECKILL_LIBRARY")
	[[ $sha1 =~ ^[0-9a-f]{40}$ ]] || SKIP[$server evalsha_return1]="SCRIPT LOAD: $sha1"
	[[ $sha2 =~ ^[0-9a-f]{40}$ ]] || SKIP[$server evalsha_seckill]="SCRIPT LOAD: $sha2"
	[[ $lib == benchseckill ]] || SKIP[$server fcall_seckill]="FUNCTION LOAD: $lib"
	if [[ $server == redis ]]; then
		SHA_RETURN1=$sha1 SHA_SECKILL=$sha2
	else
		[[ -n ${SKIP[$server evalsha_return1]:-} || $sha1 == "$SHA_RETURN1" ]] ||
			SKIP[$server evalsha_return1]="SCRIPT LOAD answers $sha1, Redis $SHA_RETURN1"
		[[ -n ${SKIP[$server evalsha_seckill]:-} || $sha2 == "$SHA_SECKILL" ]] ||
			SKIP[$server evalsha_seckill]="SCRIPT LOAD answers $sha2, Redis $SHA_SECKILL"
	fi
	reset_seckill "$port"
	local reply
	[[ -n ${SKIP[$server evalsha_return1]:-} ]] ||
		{ reply=$(cli "$port" EVALSHA "$SHA_RETURN1" 0); [[ $reply == 1 ]] ||
			SKIP[$server evalsha_return1]="EVALSHA answers: $reply"; }
	[[ -n ${SKIP[$server evalsha_seckill]:-} ]] ||
		{ reply=$(cli "$port" EVALSHA "$SHA_SECKILL" 2 bench:stock bench:buyers user:1); [[ $reply == $((STOCK - 1)) ]] ||
			SKIP[$server evalsha_seckill]="EVALSHA of the seckill script answers: $reply"; }
	[[ -n ${SKIP[$server fcall_seckill]:-} ]] ||
		{ reply=$(cli "$port" FCALL seckill 2 bench:stock bench:buyers user:2); [[ $reply == $((STOCK - 2)) ]] ||
			SKIP[$server fcall_seckill]="FCALL seckill answers: $reply"; }
	if [[ $server == redis ]]; then
		for test in evalsha_return1 evalsha_seckill fcall_seckill; do
			[[ -z ${SKIP[redis $test]:-} ]] || die "redis: $test: ${SKIP[redis $test]}"
		done
	fi
}

# reset_seckill PORT sets the stock and empties the buyers set.
reset_seckill() {
	local out
	out=$(cli "$1" SET bench:stock "$STOCK")
	[[ $out == OK ]] || die "port $1: SET bench:stock: $out"
	cli "$1" DEL bench:buyers >/dev/null
}

# command_of TEST prints the redis-benchmark command line of a test, one
# word per line.
command_of() {
	case $1 in
	evalsha_return1) printf '%s\n' EVALSHA "$SHA_RETURN1" 0 ;;
	evalsha_seckill) printf '%s\n' EVALSHA "$SHA_SECKILL" 2 bench:stock bench:buyers user:__rand_int__ ;;
	fcall_seckill) printf '%s\n' FCALL seckill 2 bench:stock bench:buyers user:__rand_int__ ;;
	esac
}

# run_script_benchmark SERVER PORT PIPELINE ROUND TEST runs one
# redis-benchmark of TEST and appends its row to $WORK/results, in
# bench.sh's format (test, pipeline, server, round, rps, p50, p99, CPU
# microseconds per request). A failure is fatal on Redis; on MyRedis it
# skips the test from then on (see fail).
run_script_benchmark() {
	local server=$1 port=$2 pipeline=$3 round=$4 test=$5 pid before buyers stock
	local -a cmd
	[[ -z ${SKIP[$server $test]:-} ]] || return 0
	mapfile -t cmd < <(command_of "$test")
	pid=$MY_PID
	[[ $server == redis ]] && pid=$REDIS_PID
	reset_seckill "$port"
	before=$(cpu_ticks "$pid")
	if ! "${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$REQUESTS" \
		-P "$pipeline" -r "$USERS" --csv -q "${cmd[@]}" 2>"$WORK/benchmark.err" >"$WORK/run.csv" ||
		grep -qi err "$WORK/benchmark.err"; then
		fail "$server" "$test" "redis-benchmark -P $pipeline: $(grep -i err "$WORK/benchmark.err" | head -1)"
		return 0
	fi
	if [[ $test == *seckill ]]; then
		# Each buyer took one unit, and nothing else did.
		buyers=$(cli "$port" SCARD bench:buyers)
		stock=$(cli "$port" GET bench:stock)
		if ! [[ $buyers =~ ^[0-9]+$ && $buyers -gt 0 && $stock == $((STOCK - buyers)) ]]; then
			fail "$server" "$test" "-P $pipeline: after the run SCARD bench:buyers is $buyers and GET bench:stock $stock"
			return 0
		fi
	fi
	awk -F, -v OFS='\t' -v t="$test" -v server="$server" -v p="$pipeline" -v r="$round" \
		-v ticks="$(($(cpu_ticks "$pid") - before))" -v n="$REQUESTS" '
		NR == 2 { gsub(/"/, ""); printf "%s\t%.2f\n", t OFS p OFS server OFS r OFS $2 OFS $5 OFS $7, ticks * 1e4 / n }' \
		"$WORK/run.csv" >>"$WORK/results"
}

# fail SERVER TEST MESSAGE stops the benchmark on Redis; on MyRedis it
# reports the failure and skips TEST from then on.
fail() {
	[[ $1 == redis ]] && die "redis: $2: $3"
	echo "$1: $2 failed: $3" >&2
	SKIP[$1 $2]="failed: $3"
}

# rss_mb PID prints a process's resident set size in MB.
rss_mb() {
	awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

main_script() {
	REQUESTS=${REQUESTS:-200000}
	CLIENTS=${CLIENTS:-50}
	ROUNDS=${ROUNDS:-3}
	PIPELINES=${PIPELINES:-1 16}
	USERS=${USERS:-1000000}
	local tests=(evalsha_return1 evalsha_seckill fcall_seckill)
	local round pipeline server order test rss_redis rss_my
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI" "$REDIS_BENCHMARK"
	setup
	start_both
	echo "redis pid $REDIS_PID port $REDIS_PORT; myredis pid $MY_PID port $MY_PORT;" \
		"pinning: ${PIN_SERVER[*]:-none}; $REQUESTS requests, $CLIENTS clients, $USERS users, $ROUNDS rounds" >&2
	prepare redis "$REDIS_PORT"
	prepare myredis "$MY_PORT"
	rss_redis=$(rss_mb "$REDIS_PID") rss_my=$(rss_mb "$MY_PID")
	: >"$WORK/results"
	for ((round = 1; round <= ROUNDS; round++)); do
		order="redis myredis"
		((round % 2 == 0)) && order="myredis redis"
		for pipeline in $PIPELINES; do
			echo "round $round, -P $pipeline" >&2
			for test in "${tests[@]}"; do
				for server in $order; do
					if [[ $server == redis ]]; then
						run_script_benchmark redis "$REDIS_PORT" "$pipeline" "$round" "$test"
					else
						run_script_benchmark myredis "$MY_PORT" "$pipeline" "$round" "$test"
					fi
				done
			done
		done
	done
	print_table
	printf "rss MB before -> after: redis %s -> %s, myredis %s -> %s\n" \
		"$rss_redis" "$(rss_mb "$REDIS_PID")" "$rss_my" "$(rss_mb "$MY_PID")"
	for test in "${tests[@]}"; do
		[[ -z ${SKIP[myredis $test]:-} ]] || echo "myredis: $test not measured (its columns show -): ${SKIP[myredis $test]}"
	done
}

main_script "$@"
