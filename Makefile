# covermap — the two commands:
#   make run    install what is missing, build, generate the Sơn La dataset and its results when
#               missing or stale, and serve on http://127.0.0.1:$(PORT)
#   make test   the whole test suite (unit, integration, browser)
# Both skip work already done: a second run starts in seconds.

PORT ?= 8080
BIND ?= 127.0.0.1
DATA ?= data/sonla
STORE ?= out/sonla
BIN := target/release/covermap

.PHONY: run test deps binary data store serve clean

run: store
	$(BIN) serve --store $(STORE) --bind $(BIND) --port $(PORT)

deps:
	@scripts/setup.sh run

binary: deps
	cargo build --release --locked

data: binary
	$(BIN) demo-data --out $(DATA)

store: data
	$(BIN) build --data $(DATA) --out $(STORE)

# The tests' binary is built first, so the demo data and store come from the executable the tests
# run (a store records the sources' fingerprint, so `make run` afterwards finds it fresh too).
test: deps
	@scripts/setup.sh test
	cargo test --release --locked --no-run
	$(BIN) demo-data --out $(DATA)
	$(BIN) build --data $(DATA) --out $(STORE)
	cargo test --release --locked --no-fail-fast -- --include-ignored
	@if [ -f web/package.json ]; then scripts/web-test.sh; fi

clean:
	rm -rf out $(DATA)/generated
