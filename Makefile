# MyRedis: build, run, test, bench.
GO      ?= go
BIN     := bin/my_redis
FUZZTIME ?= 60s

.PHONY: build run test deps vet demo-seckill bench bench-mem bench-aof bench-cluster bench-pubsub bench-script bench-stream bench-idgo fuzz readme clean bench-tracking bench-evict

build:
	$(GO) build -o $(BIN) ./my_redis
	$(GO) build -o bin/idgo ./examples/idgo
	cd examples/seckill && $(GO) build -o ../../bin/seckill .

# Builds the server and starts it on the bundled configuration.
run: build
	./$(BIN) redis.conf

# Installs what the tests need: the Go modules (the server's and
# examples/seckill's), and, when running as root and they are missing,
# Debian's redis-server and redis-tools (the oracle, redis-cli and
# redis-benchmark), mariadb-server (the seckill test's MySQL store),
# chromium (the seckill page's browser test) and python3-redis (redis-py,
# for the idgo client test). Without them the tests that
# need them skip.
deps:
	$(GO) mod download
	cd examples/seckill && $(GO) mod download
	@if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing redis-server and redis-tools with apt-get"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null) \
				|| echo "apt-get failed: tests that need real Redis will skip"; \
		else \
			echo "redis-server/redis-tools missing and not root: tests that need them will skip"; \
		fi; \
	fi
	@if ! command -v mariadbd >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing mariadb-server and chromium with apt-get"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server chromium >/dev/null) \
				|| echo "apt-get failed: the seckill tests that need MariaDB or Chromium will skip"; \
		else \
			echo "mariadb-server/chromium missing and not root: the seckill tests that need them will skip"; \
		fi; \
	fi
	@if ! /usr/bin/python3 -c 'import redis' >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing python3-redis (redis-py) with apt-get"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-redis >/dev/null) \
				|| echo "apt-get failed: the idgo redis-py test will skip"; \
		else \
			echo "python3-redis missing and not root: the idgo redis-py test will skip"; \
		fi; \
	fi

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...
	cd examples/seckill && $(GO) vet ./...

# Every test, with the race detector. -count=1: tests/ builds and runs the
# server binary, which Go's test cache cannot see, so no result is reused.
# examples/seckill is its own module, so ./... does not reach it: its tests
# run next, without -race (its in-process load generator triples their
# time under the detector; run them with -race by hand when you change it).
test: deps vet
	$(GO) test -race -count=1 -timeout 9m ./...
	cd examples/seckill && $(GO) test -count=1 -timeout 3m ./...

# redis-benchmark against MyRedis and a real redis-server in the same run,
# then the pub/sub fan-out and MULTI/EXEC figures (bench-pubsub).
bench: build
	scripts/bench.sh
	$(MAKE) --no-print-directory bench-pubsub

# Bytes per key, MyRedis vs Redis: 1,000,000 small strings with and without
# TTLs, 100,000 hashes of 10 fields, sets of 10 small integers and sorted
# sets of 10 members.
bench-mem: build
	scripts/bench-mem.sh

# The cache workload with maxmemory 64mb (GET, SET on a miss, Zipf keys),
# allkeys-lru and allkeys-lfu: hit ratio, requests/s, RSS; MyRedis vs Redis.
bench-evict: build
	scripts/bench-evict.sh

# SET with appendfsync always and everysec, MyRedis vs Redis, and the AOF
# replay rate.
bench-aof: build
	scripts/bench-aof.sh

# Three cluster nodes on this machine: forwarded SET/GET against one node.
bench-cluster: build
	scripts/bench-cluster.sh

# Pub/sub fan-out (messages/s delivered to 50 subscribers) and MULTI + 3 SETs
# + EXEC at -P 16 (transactions/s), MyRedis vs Redis: Go benchmarks in
# tests/bench_pubsub_test.go, run once each (they repeat and take medians).
bench-pubsub: build
	MYREDIS_BIN=$(CURDIR)/$(BIN) $(GO) test ./tests -run '^$$' -bench 'PubSubFanout|MultiExec' -benchtime 1x -v

# Scripting, MyRedis vs Redis, 50 clients at -P 1 and -P 16: EVALSHA of
# "return 1", EVALSHA of the seckill script on random users, and FCALL of
# the same code as a function.
bench-script: build
	scripts/bench-script.sh

# Streams, MyRedis vs Redis: XADD s * f v and XRANGE s - + COUNT 100 with 50
# clients at -P 1 and -P 16, bytes per entry for 1,000,000 small entries,
# and the consumer loop (1 producer, 4 consumers with XREADGROUP COUNT 100
# + XACK, messages/s end to end: BenchmarkStreamConsumers in tests/).
bench-stream: build
	scripts/bench-stream.sh

# idgo (examples/idgo): GET on a few generators against idgo at -P 1 and
# -P 16 next to INCR straight against MyRedis, both with appendfsync always:
# IDs/s and the ratio.
bench-idgo: build
	scripts/bench-idgo.sh

# Client-side caching, MyRedis vs Redis: redis-benchmark GET at -P 16 (the
# untracked path, as make bench has it), then 50 RESP3 clients pipelining
# GETs with tracking off and on, and the ratio of the on/off ratios.
bench-tracking: build
	scripts/bench-tracking.sh

# Coverage-guided fuzzing of the RESP reader, the AOF loader, the
# commands (short command sequences over a keyspace of every type), EVAL
# (random scripts) and the scripts' cjson.decode and cmsgpack.unpack,
# FUZZTIME per target.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzReadCommand$$' -fuzztime $(FUZZTIME) ./resp
	$(GO) test -run '^$$' -fuzz '^FuzzReadReply$$' -fuzztime $(FUZZTIME) ./resp
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./aof
	$(GO) test -run '^$$' -fuzz '^FuzzCommands$$' -fuzztime $(FUZZTIME) ./db
	$(GO) test -run '^$$' -fuzz '^FuzzParseID$$' -fuzztime $(FUZZTIME) ./datastruct/stream
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./datastruct/listpack
	$(GO) test -run '^$$' -fuzz '^FuzzEval$$' -fuzztime $(FUZZTIME) ./scripting
	$(GO) test -run '^$$' -fuzz '^FuzzCJSONDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./scripting/lualib
	$(GO) test -run '^$$' -fuzz '^FuzzCMsgpackUnpack$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./scripting/lualib

# Regenerates the README's command and parameter lists from the code.
readme:
	$(GO) test ./my_redis -run TestReadme -update

clean:
	rm -rf bin

# The seckill demo (examples/seckill): three MyRedis nodes as a cluster with
# appendfsync always, two web servers, two workers, SQLite; 20,000 buy
# attempts from 5,000 users at a stock of 1,000; ends with one
# "seckill: stock=… sold=… …" line. SECKILL_SERVER_BIN=/usr/bin/redis-server
# runs it on a real Redis Cluster instead.
demo-seckill: build
	examples/seckill/demo.sh
