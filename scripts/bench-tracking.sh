#!/usr/bin/env bash
# bench-tracking.sh: what client-side caching (CLIENT TRACKING, issue #17)
# costs MyRedis next to Debian's redis-server.
#
# First the untracked path as make bench measures it: redis-benchmark GET
# at -P 16 with 50 clients against both servers (bench.sh's table), to be
# compared with make bench's GET -P 16 ratio. Then BenchmarkTrackingGet
# (tests/bench_tracking_test.go): 50 RESP3 connections pipelining 16 GETs
# a round trip, tracking off, then every connection tracking its reads
# (redis-benchmark cannot turn tracking on), both servers back to back in
# each run; it prints each server's on/off ratio and the ratio of ratios
# (MyRedis's over Redis's: 1.0 or more means tracking costs MyRedis no more
# than it costs Redis).
#
# Settings (environment): ROUNDS, REQUESTS (the redis-benchmark part, see
# bench.sh), MYREDIS (binary, default bin/my_redis), GO (default go).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MYREDIS=${MYREDIS:-$ROOT/bin/my_redis}
GO=${GO:-go}

echo "== untracked: redis-benchmark GET -P 16, 50 clients" >&2
TESTS=get PIPELINES=16 MYREDIS=$MYREDIS "$ROOT/scripts/bench.sh"

echo "== tracking off vs on: GET -P 16, 50 RESP3 clients" >&2
cd "$ROOT"
MYREDIS_BIN=$MYREDIS "$GO" test ./tests -run '^$' -bench '^BenchmarkTrackingGet$' -benchtime 1x -v |
	grep -v '^ *[0-9]*:[CM] '
