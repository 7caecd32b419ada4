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

clean:
	rm -rf .build .pg .run
