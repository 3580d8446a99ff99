#!/usr/bin/env bash
# bench-idgo.sh: IDs/s from idgo (examples/idgo) next to INCR straight
# against MyRedis, both durable (appendfsync always).
#
# Starts MyRedis with appendonly yes and appendfsync always, and idgo over
# it (BATCH IDs per lease), SETs GENERATORS generators to 0, then for ROUNDS
# rounds at each pipeline depth runs redis-benchmark "GET key:__rand_int__"
# (-r GENERATORS: the GETs spread over the generators) against idgo and the
# same number of "INCR key:__rand_int__" against MyRedis, back to back, and
# prints the median IDs/s of each, the median idgo/INCR ratio of the runs
# paired by round, and the CPU time per ID of each side: idgo's plus
# MyRedis's (its leases) for GET, MyRedis's for INCR. The CPU figures do not
# depend on how fast redis-benchmark's one core can send, which bounds the
# throughput at -P 16 on a small machine. Every reply of a run is an ID;
# the script checks afterwards that the generators advanced by REQUESTS
# per idgo run. With two or more CPUs both servers run on core 0 and
# redis-benchmark on core 1.
#
# Settings (environment): REQUESTS, CLIENTS, ROUNDS, PIPELINES (space
# separated), GENERATORS, BATCH, MYREDIS, IDGO (binaries, default
# bin/my_redis and bin/idgo).
set -euo pipefail

# shellcheck source=bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"
IDGO=${IDGO:-$ROOT/bin/idgo}

# start_idgo STORAGE_PORT starts idgo over the MyRedis on STORAGE_PORT and
# sets IDGO_PID and IDGO_PORT once it answers PING.
start_idgo() {
	local storage=$1 dir="$WORK/idgo" port attempt i
	mkdir -p "$dir"
	for ((attempt = 0; attempt < 5; attempt++)); do
		port=$((20000 + RANDOM % 12768))
		port_in_use "$port" && continue
		printf 'addr: 127.0.0.1:%d\nlog_level: warn\nbatch: %d\nstorage:\n  addrs: [127.0.0.1:%d]\n' \
			"$port" "$BATCH" "$storage" >"$dir/idgo.yaml"
		"${PIN_SERVER[@]}" "$IDGO" -config "$dir/idgo.yaml" >"$dir/idgo.log" 2>&1 &
		IDGO_PID=$!
		IDGO_PORT=$port
		PIDS+=("$IDGO_PID")
		for ((i = 0; i < 100; i++)); do
			kill -0 "$IDGO_PID" 2>/dev/null || break
			if [[ $("$REDIS_CLI" -p "$port" ping 2>/dev/null) == PONG ]]; then
				return 0
			fi
			sleep 0.1
		done
		kill -0 "$IDGO_PID" 2>/dev/null && die "idgo did not answer PING on port $port; log: $(tail -5 "$dir/idgo.log")"
	done
	die "idgo could not start; log: $(tail -5 "$dir/idgo.log")"
}

# rps PORT PIPELINE COMMAND... runs redis-benchmark with COMMAND and prints
# its requests/s.
rps() {
	local port=$1 pipeline=$2
	shift 2
	"${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$REQUESTS" \
		-P "$pipeline" -r "$GENERATORS" --csv -q "$@" 2>"$WORK/benchmark.err" |
		awk -F, 'NR == 2 { gsub(/"/, ""); print $2 }'
	if grep -qi err "$WORK/benchmark.err"; then
		cat "$WORK/benchmark.err" >&2
		die "redis-benchmark reported errors"
	fi
}

# server_ticks PID... prints the CPU clock ticks the processes have used.
server_ticks() {
	local pid sum=0
	for pid in "$@"; do
		sum=$((sum + $(cpu_ticks "$pid")))
	done
	echo "$sum"
}

# us_per_request TICKS prints TICKS (1/100 s) per request in microseconds.
us_per_request() {
	awk -v t="$1" -v n="$REQUESTS" 'BEGIN { printf "%.2f", t * 1e4 / n }'
}

# total_ids prints the sum over the generators of their last ID handed out
# (the next ID minus one, as GET just consumed it).
total_ids() {
	local g sum=0 id
	for ((g = 0; g < GENERATORS; g++)); do
		id=$("$REDIS_CLI" -p "$IDGO_PORT" get "$(printf 'key:%012d' "$g")")
		sum=$((sum + id - 1))
	done
	echo "$sum"
}

main() {
	REQUESTS=${REQUESTS:-200000}
	CLIENTS=${CLIENTS:-50}
	ROUNDS=${ROUNDS:-3}
	PIPELINES=${PIPELINES:-1 16}
	GENERATORS=${GENERATORS:-4}
	BATCH=${BATCH:-1000}
	require "$MYREDIS" "$IDGO" "$REDIS_CLI" "$REDIS_BENCHMARK"
	setup
	start_server myredis "$MYREDIS" --appendonly yes --appendfsync always
	MY_PID=$SERVER_PID MY_PORT=$SERVER_PORT
	start_idgo "$MY_PORT"
	echo "myredis (appendfsync always) pid $MY_PID port $MY_PORT; idgo pid $IDGO_PID port $IDGO_PORT, batch $BATCH;" \
		"pinning: ${PIN_SERVER[*]:-none}; $GENERATORS generators, $REQUESTS requests, $CLIENTS clients, $ROUNDS rounds" >&2
	local g round pipeline before after idgo incr ticks idgo_cpu incr_cpu
	for ((g = 0; g < GENERATORS; g++)); do
		"$REDIS_CLI" -p "$IDGO_PORT" set "$(printf 'key:%012d' "$g")" 0 >/dev/null
	done
	: >"$WORK/results"
	for ((round = 1; round <= ROUNDS; round++)); do
		for pipeline in $PIPELINES; do
			echo "round $round, -P $pipeline" >&2
			before=$(total_ids)
			ticks=$(server_ticks "$IDGO_PID" "$MY_PID")
			idgo=$(rps "$IDGO_PORT" "$pipeline" get key:__rand_int__)
			idgo_cpu=$(us_per_request $(($(server_ticks "$IDGO_PID" "$MY_PID") - ticks)))
			after=$(total_ids)
			# total_ids itself takes one ID per generator.
			((after - before == REQUESTS + GENERATORS)) ||
				die "idgo handed out $((after - before - GENERATORS)) IDs for $REQUESTS GETs"
			ticks=$(server_ticks "$MY_PID")
			incr=$(rps "$MY_PORT" "$pipeline" incr key:__rand_int__)
			incr_cpu=$(us_per_request $(($(server_ticks "$MY_PID") - ticks)))
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$pipeline" "$idgo" "$incr" \
				"$(awk -v a="$idgo" -v b="$incr" 'BEGIN { printf "%.2f", a / b }')" \
				"$idgo_cpu" "$incr_cpu" >>"$WORK/results"
		done
	done
	local fmt='%-4s %14s %16s %7s %18s %18s\n' col
	# shellcheck disable=SC2059
	printf "$fmt" P "idgo IDs/s" "MyRedis INCR/s" ratio "idgo CPU us/ID" "INCR CPU us/ID"
	for pipeline in $PIPELINES; do
		local -a m=()
		for col in 2 3 4 5 6; do
			m+=("$(awk -F'\t' -v p="$pipeline" -v c="$col" '$1 == p { print $c }' "$WORK/results" | median)")
		done
		# shellcheck disable=SC2059
		printf "$fmt" "$pipeline" "${m[@]}"
	done
}

main "$@"
