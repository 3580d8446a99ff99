#!/usr/bin/env bash
# bench-mem.sh: memory per key of MyRedis next to Debian's redis-server.
#
# For each shape it starts both servers afresh (see bench.sh), loads the
# keys into each with redis-cli --pipe, checks DBSIZE, and prints the growth
# of each server's resident set size (VmRSS) and of its used_memory per key,
# and the MyRedis/Redis ratio of the RSS growth. It also prints the RSS
# growth once MEMORY PURGE has run (Go: a collection, and free memory
# returned; Redis: jemalloc's purge), which leaves out the garbage a load
# leaves behind; the ratio is of the figure before the purge. The shapes:
#   string      KEYS keys "SET key:%08d xxx"
#   string+ttl  the same with EX 100000
#   hash        KEYS/10 hashes of 10 fields (f0..f9, 3-byte values)
#   set         KEYS/10 sets of 10 small integers
#   zset        KEYS/10 sorted sets of 10 members (m0..m9, integer scores)
#
# Settings (environment): KEYS (default 1000000), SHAPES (space separated,
# default all), MYREDIS (binary).
set -euo pipefail

# shellcheck source=scripts/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

# rss_bytes PID prints the resident set size of a process in bytes.
rss_bytes() {
	awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

# used_memory PORT prints INFO's used_memory.
used_memory() {
	"$REDIS_CLI" -p "$1" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'
}

declare -A PERKEY # RSS bytes per key, by server name

# generate SHAPE N writes the RESP commands that load N keys of SHAPE.
generate() {
	awk -v shape="$1" -v n="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			key = sprintf("key:%08d", i)
			if (shape == "string") {
				printf "*3\r\n$3\r\nSET\r\n$12\r\n%s\r\n$3\r\nxxx\r\n", key
			} else if (shape == "string+ttl") {
				printf "*5\r\n$3\r\nSET\r\n$12\r\n%s\r\n$3\r\nxxx\r\n$2\r\nEX\r\n$6\r\n100000\r\n", key
			} else if (shape == "hash") {
				printf "*22\r\n$4\r\nHSET\r\n$12\r\n%s\r\n", key
				for (j = 0; j < 10; j++) printf "$2\r\nf%d\r\n$3\r\nv%02d\r\n", j, j
			} else if (shape == "set") {
				printf "*12\r\n$4\r\nSADD\r\n$12\r\n%s\r\n", key
				for (j = 0; j < 10; j++) printf "$1\r\n%d\r\n", j
			} else if (shape == "zset") {
				printf "*22\r\n$4\r\nZADD\r\n$12\r\n%s\r\n", key
				for (j = 0; j < 10; j++) printf "$1\r\n%d\r\n$2\r\nm%d\r\n", j, j
			}
		}
	}'
}

# load NAME PID PORT N SHAPE loads the keys into one server, prints its row
# and sets PERKEY[NAME].
load() {
	local name=$1 pid=$2 port=$3 n=$4 shape=$5 before after purged ubefore uafter out dbsize
	before=$(rss_bytes "$pid")
	ubefore=$(used_memory "$port")
	out=$("$REDIS_CLI" -p "$port" --pipe <"$WORK/load.resp")
	grep -q "errors: 0, replies: $n" <<<"$out" || die "$name: redis-cli --pipe: $out"
	dbsize=$("$REDIS_CLI" -p "$port" dbsize)
	[[ $dbsize == "$n" ]] || die "$name: DBSIZE is $dbsize, want $n"
	after=$(rss_bytes "$pid")
	uafter=$(used_memory "$port")
	"$REDIS_CLI" -p "$port" memory purge >/dev/null
	sleep 0.5
	purged=$(rss_bytes "$pid")
	PERKEY[$name]=$(awk -v a="$after" -v b="$before" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')
	printf "%-11s %-8s %9d %12d %12d %10s %14s %14s\n" "$shape" "$name" "$n" "$before" "$after" "${PERKEY[$name]}" \
		"$(awk -v a="$uafter" -v b="$ubefore" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')" \
		"$(awk -v a="$purged" -v b="$before" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')"
}

main_mem() {
	KEYS=${KEYS:-1000000}
	SHAPES=${SHAPES:-string string+ttl hash set zset}
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI"
	setup
	printf "%-11s %-8s %9s %12s %12s %10s %14s %14s\n" shape server keys "rss before" "rss after" "rss B/key" "used_mem B/key" \
		"purged B/key"
	local shape n
	for shape in $SHAPES; do
		n=$KEYS
		[[ $shape == string* ]] || n=$((KEYS / 10))
		generate "$shape" "$n" >"$WORK/load.resp"
		start_both
		load redis "$REDIS_PID" "$REDIS_PORT" "$n" "$shape"
		load myredis "$MY_PID" "$MY_PORT" "$n" "$shape"
		kill "$REDIS_PID" "$MY_PID"
		awk -v s="$shape" -v m="${PERKEY[myredis]}" -v r="${PERKEY[redis]}" \
			'BEGIN { if (r > 0) printf "%-11s ratio myredis/redis (RSS per key): %.2f\n", s, m / r }'
	done
}

main_mem "$@"
