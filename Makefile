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

# Figures, not tests: Roost's queue against the limit and the peer in ../shared/bench (see README.md).
bench: setup
	$(SWIFT) build -c release --product roost
	$(SWIFT) build -c release --product roost-bench
	scripts/with-postgres.sh --durable scripts/bench.sh .build/release/roost .build/release/roost-bench

clean:
	rm -rf .build .pg .run
