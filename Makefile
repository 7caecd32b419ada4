# Roost: `make test` installs what is missing, starts a throwaway PostgreSQL and runs every test;
# `make run` runs the pipeline on embedded defaults. See README.md.
SWIFT ?= swift
ROOST := .build/debug/roost

.PHONY: setup build test run bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

test: build
	$(SWIFT) build --build-tests
	scripts/with-postgres.sh $(SWIFT) test --skip-build
	ansible/tests/run.sh

run: build
	scripts/with-postgres.sh scripts/run.sh $(ROOST)

# Figures, not tests: the queue against the limit and the peer in ../shared/bench, then Kafka against
# kcat, X API ingestion against CPython's json, the filtered stream into Kafka and the lake, S3
# uploads against boto3, and the whole pipeline on a PostgreSQL of its own (see README.md).
# Release binaries with the Swift runtime linked in (one self-contained file per host), in their own
# build folder so that debug builds are not redone.
BENCH_BUILD := .build-static
bench: setup
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(BENCH_BUILD) --product roost
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(BENCH_BUILD) --product roost-bench
	scripts/with-postgres.sh --durable scripts/bench.sh $(BENCH_BUILD)/release/roost $(BENCH_BUILD)/release/roost-bench
	ROOST=$(BENCH_BUILD)/release/roost scripts/bench-kafka.sh
	ROOST=$(BENCH_BUILD)/release/roost scripts/with-postgres.sh scripts/bench-twitter.sh
	ROOST=$(BENCH_BUILD)/release/roost scripts/with-postgres.sh scripts/bench-stream.sh
	.venv/bin/python scripts/bench-s3.py $(BENCH_BUILD)/release/roost
	ROOST=$(BENCH_BUILD)/release/roost scripts/with-postgres.sh --durable scripts/bench-pipeline.sh

clean:
	rm -rf .build $(BENCH_BUILD) .pg .run
