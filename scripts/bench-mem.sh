#!/usr/bin/env bash
# bench-mem.sh: memory per key of MyRedis next to Debian's redis-server.
#
# Starts both servers (see bench.sh), loads exactly KEYS small string keys
# ("SET key:%08d xxx") into each with redis-cli --pipe, checks DBSIZE, and
# prints the growth of each server's resident set size (VmRSS) per key and
# the MyRedis/Redis ratio.
#
# Settings (environment): KEYS (default 1000000), MYREDIS (binary).
set -euo pipefail

# shellcheck source=scripts/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

# rss_bytes PID prints the resident set size of a process in bytes.
rss_bytes() {
	awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

declare -A PERKEY # bytes per key, by server name

# load NAME PID PORT loads the keys into one server, prints its row and sets
# PERKEY[NAME].
load() {
	local name=$1 pid=$2 port=$3 before after out dbsize
	before=$(rss_bytes "$pid")
	out=$("$REDIS_CLI" -p "$port" --pipe <"$WORK/load.resp")
	grep -q "errors: 0, replies: $KEYS" <<<"$out" || die "$name: redis-cli --pipe: $out"
	dbsize=$("$REDIS_CLI" -p "$port" dbsize)
	[[ $dbsize == "$KEYS" ]] || die "$name: DBSIZE is $dbsize, want $KEYS"
	after=$(rss_bytes "$pid")
	PERKEY[$name]=$(awk -v a="$after" -v b="$before" -v n="$KEYS" 'BEGIN { printf "%.1f", (a - b) / n }')
	printf "%-8s %12d %12d %10s\n" "$name" "$before" "$after" "${PERKEY[$name]}"
}

main_mem() {
	KEYS=${KEYS:-1000000}
	require "$MYREDIS" "$REDIS_SERVER" "$REDIS_CLI"
	setup
	start_both
	# key:%08d is 12 bytes for up to 10^8 keys; the value is 3 bytes.
	awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$12\r\nkey:%08d\r\n$3\r\nxxx\r\n", i }' >"$WORK/load.resp"
	printf "%-8s %12s %12s %10s\n" server "rss before" "rss after" bytes/key
	load redis "$REDIS_PID" "$REDIS_PORT"
	load myredis "$MY_PID" "$MY_PORT"
	awk -v m="${PERKEY[myredis]}" -v r="${PERKEY[redis]}" \
		'BEGIN { if (r > 0) printf "ratio myredis/redis: %.2f\n", m / r }'
}

main_mem "$@"
