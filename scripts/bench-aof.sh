#!/usr/bin/env bash
# bench-aof.sh: SET throughput with the append-only file on, MyRedis next to
# Debian's redis-server, and MyRedis's AOF replay rate.
#
# For each appendfsync policy (always, everysec) it starts both servers with
# appendonly yes, each in its own temporary directory on the same disk, runs
# redis-benchmark SET against them in turn for ROUNDS rounds at each
# pipeline depth, stops them, and prints the medians with the MyRedis/Redis
# ratio (bench.sh's table; the test column names the policy). Then it writes
# an AOF of REPLAY_KEYS SETs, starts each server on a copy REPLAY_ROUNDS
# times, alternating, and prints the median commands/s of its loads:
# MyRedis's from its "append-only file loaded" log line, Redis's from its
# "DB loaded from append only file" time.
#
# Settings (environment): REQUESTS, CLIENTS, ROUNDS, PIPELINES (space
# separated), FSYNCS (space separated), REPLAY_KEYS, REPLAY_ROUNDS (loads
# of the replay AOF per server, default 3), MYREDIS (binary, default
# bin/my_redis).
set -euo pipefail

# shellcheck source=bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

# stop_server PID stops one server started by start_server (SIGTERM, then
# SIGKILL after 10 s) and waits for it.
stop_server() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# bench_fsync POLICY runs the rounds for one appendfsync policy and appends
# their rows to $WORK/all, with the policy in the test name.
bench_fsync() {
	local fsync=$1
	local aof=(--appendonly yes --appendfsync "$fsync" --aof-use-rdb-preamble no)
	start_server "redis-$fsync" "$REDIS_SERVER" --save "" "${aof[@]}"
	REDIS_PID=$SERVER_PID REDIS_PORT=$SERVER_PORT
	start_server "myredis-$fsync" "$MYREDIS" "${aof[@]}"
	MY_PID=$SERVER_PID MY_PORT=$SERVER_PORT
	: >"$WORK/results"
	run_rounds "appendfsync $fsync, "
	stop_server "$REDIS_PID"
	stop_server "$MY_PID"
	awk -F'\t' -v OFS='\t' -v f="$fsync" '{ $1 = $1 " " f; print }' "$WORK/results" >>"$WORK/all"
}

# write_replay_aof DIR writes a multi-part AOF of REPLAY_KEYS SETs in DIR.
write_replay_aof() {
	local dir=$1/appendonlydir
	mkdir -p "$dir"
	awk -v n="$REPLAY_KEYS" 'BEGIN {
		for (i = 0; i < n; i++) {
			k = "key:" i
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n", length(k), k
		}
	}' >"$dir/appendonly.aof.1.base.aof"
	echo "file appendonly.aof.1.base.aof seq 1 type b" >"$dir/appendonly.aof.manifest"
}

# replay_rate NAME BINARY LOG_PATTERN [ARGS...] starts a server on a copy
# of the replay AOF and sets RATE to the commands/s of its load, from the
# first match of the extended regexp LOG_PATTERN in its log: either a rate
# (commands_per_sec=N) or a time in seconds (anything else).
replay_rate() {
	local name=$1 bin=$2 pattern=$3 dir="$WORK/$1" value
	shift 3
	mkdir -p "$dir"
	cp -r "$WORK/replay/appendonlydir" "$dir/"
	start_server "$name" "$bin" --appendonly yes --aof-use-rdb-preamble no "$@"
	value=$(grep -oE "$pattern" "$dir/server.log" | head -1 | grep -oE '[0-9.]+$' || true)
	stop_server "$SERVER_PID"
	rm -rf "$dir/appendonlydir"
	if [[ -z $value ]]; then
		RATE="-"
	elif [[ $pattern == *commands_per_sec* ]]; then
		RATE=$value
	else
		RATE=$(awk -v n="$REPLAY_KEYS" -v s="$value" 'BEGIN { if (s > 0) printf "%d", n / s; else print "-" }')
	fi
}

# rewrite_memory starts MyRedis on a copy of the replay AOF, runs
# BGREWRITEAOF and prints its resident set size before and at its peak during
# the rewrite (sampled every 20 ms): the rewrite dumps a point-in-time
# snapshot without copying the dataset, so the peak should stay close to the
# size before.
rewrite_memory() {
	local dir="$WORK/rewrite-mem" before peak rss
	mkdir -p "$dir"
	cp -r "$WORK/replay/appendonlydir" "$dir/"
	start_server rewrite-mem "$MYREDIS" --appendonly yes --aof-use-rdb-preamble no
	until "$REDIS_CLI" -p "$SERVER_PORT" info persistence | grep -q '^loading:0'; do sleep 0.1; done
	before=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$SERVER_PID/status")
	peak=$before
	"$REDIS_CLI" -p "$SERVER_PORT" bgrewriteaof >/dev/null
	while "$REDIS_CLI" -p "$SERVER_PORT" info persistence | grep -q '^aof_rewrite_in_progress:1'; do
		rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$SERVER_PID/status")
		((rss > peak)) && peak=$rss
		sleep 0.02
	done
	stop_server "$SERVER_PID"
	awk -v b="$before" -v p="$peak" -v n="$REPLAY_KEYS" 'BEGIN {
		printf "rewrite of %d keys: rss before %.0f MB, peak during the rewrite %.0f MB (%.2fx)\n", n, b / 1048576, p / 1048576, p / b }'
}

bench_aof() {
	TESTS=set
	REQUESTS=${REQUESTS:-200000}
	CLIENTS=${CLIENTS:-50}
	ROUNDS=${ROUNDS:-5}
	PIPELINES=${PIPELINES:-1 16}
	FSYNCS=${FSYNCS:-always everysec}
	REPLAY_KEYS=${REPLAY_KEYS:-1000000}
	REPLAY_ROUNDS=${REPLAY_ROUNDS:-3}
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI" "$REDIS_BENCHMARK"
	setup
	echo "work dir $WORK; pinning: ${PIN_SERVER[*]:-none}; $REQUESTS requests, $CLIENTS clients, $ROUNDS rounds" >&2
	local fsync
	: >"$WORK/all"
	for fsync in $FSYNCS; do
		bench_fsync "$fsync"
	done
	mv "$WORK/all" "$WORK/results"
	print_table

	echo "writing an AOF of $REPLAY_KEYS SETs" >&2
	write_replay_aof "$WORK/replay"
	local i my=() redis=()
	for ((i = 0; i < REPLAY_ROUNDS; i++)); do
		replay_rate replay-myredis "$MYREDIS" 'commands_per_sec=[0-9]+'
		my+=("$RATE")
		replay_rate replay-redis "$REDIS_SERVER" 'DB loaded from append only file: [0-9.]+' --save ""
		redis+=("$RATE")
	done
	printf "\nreplay of %d SETs, median of %d loads: myredis %s commands/s (%s), redis %s commands/s (%s)\n" \
		"$REPLAY_KEYS" "$REPLAY_ROUNDS" "$(printf '%s\n' "${my[@]}" | median)" "${my[*]}" "$(printf '%s\n' "${redis[@]}" | median)" "${redis[*]}"
	rewrite_memory
}

bench_aof "$@"
