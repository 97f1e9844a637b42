# OrderFlow build / test tooling (GNU make).
#
# Needs only python3 (3.11+), node (20+) and npm on the PATH. The first target that
# needs them bootstraps .venv (hashed pins from requirements/dev.txt) and node_modules
# (from package-lock.json); both are refreshed when their lock file changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV ?= .venv
PY = $(VENV)/bin/python
BIN = $(VENV)/bin

VENV_STAMP = $(VENV)/.orderflow-dev-installed
# SAM CLI pins its own boto3, so `sam validate --lint` gets a venv of its own.
SAM_VENV ?= .venv-sam
SAM_STAMP = $(SAM_VENV)/.orderflow-sam-installed
# MiniStack (local AWS emulator with CloudFormation) pins its own botocore: a venv of its own too.
MINISTACK_VENV ?= .venv-ministack
MINISTACK_STAMP = $(MINISTACK_VENV)/.orderflow-ministack-installed
NODE_STAMP = node_modules/.orderflow-npm-ci

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-n auto"` or `PYTEST_ARGS=-x`.
PYTEST_ARGS ?=
# Extra arguments for `make run`, e.g. `make run RUN_ARGS="--api-port 3001 --no-carrier"`.
RUN_ARGS ?=
# Extra arguments for `make bench`, e.g. `make bench BENCH_ARGS="--only cold,cost"`.
BENCH_ARGS ?=
# Marker expression for `make test`; the `aws` tests need a real deployed stack.
PYTEST_MARKERS ?= not aws
# Extra arguments for `uv pip compile`, e.g. `make lock LOCK_ARGS=--upgrade`.
LOCK_ARGS ?=

UV_COMPILE = $(BIN)/uv pip compile --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet $(LOCK_ARGS)

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

# ------------------------------------------------------------------ bootstrap
$(VENV_STAMP): requirements/dev.txt
	@test -x $(PY) || { echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --disable-pip-version-check --require-hashes -r requirements/dev.txt
	@# The project itself, editable: the orderflow-ops command (setuptools comes from dev.txt)
	$(PY) -m pip install --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(SAM_STAMP): requirements/sam.txt
	@test -x $(SAM_VENV)/bin/python || { echo "creating $(SAM_VENV)"; $(PYTHON) -m venv $(SAM_VENV); }
	@# --no-deps: sam.txt is the whole closure; pip would ask a pin for "boto3-stubs[extras]" too
	$(SAM_VENV)/bin/python -m pip install --disable-pip-version-check --require-hashes --no-deps \
		-r requirements/sam.txt
	@touch $@

$(MINISTACK_STAMP): requirements/ministack.txt
	@test -x $(MINISTACK_VENV)/bin/python || \
		{ echo "creating $(MINISTACK_VENV)"; $(PYTHON) -m venv $(MINISTACK_VENV); }
	$(MINISTACK_VENV)/bin/python -m pip install --disable-pip-version-check --require-hashes \
		--no-deps -r requirements/ministack.txt
	@touch $@

$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: venv node bootstrap sam-venv ministack-venv
venv: $(VENV_STAMP) ## Create/refresh the Python virtualenv (also installs orderflow-ops)
sam-venv: $(SAM_STAMP) ## The SAM CLI in .venv-sam (hashed requirements/sam.txt)
ministack-venv: $(MINISTACK_STAMP) ## MiniStack in .venv-ministack (.venv-ministack/bin/ministack)
node: $(NODE_STAMP) ## Install the Node tooling (asl-validator) from package-lock.json
bootstrap: venv node ## Both of the above

# ------------------------------------------------------------------ checks
.PHONY: lint ruff ruff-format-check mypy imports asl
lint: ruff ruff-format-check mypy imports asl ## All static checks

ruff: $(VENV_STAMP)
	$(BIN)/ruff check .

ruff-format-check: $(VENV_STAMP)
	$(BIN)/ruff format --check .

mypy: $(VENV_STAMP)
	$(BIN)/mypy

imports: $(VENV_STAMP) ## import-linter contracts (pyproject.toml [tool.importlinter])
	$(BIN)/lint-imports --no-logo

asl: $(NODE_STAMP) ## Validate every workflows/*.asl.json
	@shopt -s nullglob; files=(workflows/*.asl.json); \
	if [ $${#files[@]} -eq 0 ]; then \
		echo "asl-validator: no workflows/*.asl.json files yet, nothing to validate"; \
	else \
		for f in "$${files[@]}"; do \
			npx --no-install asl-validator --json-path "$$f"; \
		done; \
	fi

.PHONY: test pytest test-aws
test: lint pytest ## Static checks, then the test suite (excluding `aws` tests)

# pytest's own exit code is kept: 5 ("no tests collected") fails the build.
pytest: $(VENV_STAMP) $(SAM_STAMP) $(MINISTACK_STAMP)
	SAM_CLI=$(SAM_VENV)/bin/sam MINISTACK=$(MINISTACK_VENV)/bin/ministack $(PY) -m pytest -m "$(PYTEST_MARKERS)" $(PYTEST_ARGS)

test-aws: $(VENV_STAMP) ## Only the `aws` tests, against a real deployed stack (opt-in)
	$(PY) -m pytest -m aws $(PYTEST_ARGS)

# ------------------------------------------------------------------ dev loop
.PHONY: fmt run demo bench
fmt: $(VENV_STAMP) ## Format and autofix (ruff format + ruff check --fix)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

run: $(VENV_STAMP) ## Start the whole system locally: API on :3000, AWS endpoint on :4566 (RUN_ARGS=--help)
	$(PY) -m infra.local $(RUN_ARGS)

bench: $(VENV_STAMP) ## Benchmarks: cold start, warm overhead, e2e, workflow, package, cost (BENCH_ARGS=--smoke)
	$(PY) -m infra.bench $(BENCH_ARGS)

demo: $(VENV_STAMP) ## Walk three orders through the domain with in-memory adapters (no AWS, no moto)
	$(PY) -m infra.demo

# ------------------------------------------------------------------ locks
.PHONY: lock lock-npm
# dev.txt is compiled first; runtime.txt is then constrained by it, so the Lambda
# runtime gets exactly the versions the tests ran with (e.g. aws-sam-translator caps pydantic).
lock: $(VENV_STAMP) ## Re-pin requirements/*.txt from requirements/*.in (LOCK_ARGS=--upgrade to bump)
	$(UV_COMPILE) -o requirements/dev.txt requirements/dev.in
	$(UV_COMPILE) -c requirements/dev.txt -o requirements/runtime.txt requirements/runtime.in
	$(UV_COMPILE) -o requirements/sam.txt requirements/sam.in
	$(UV_COMPILE) -o requirements/ministack.txt requirements/ministack.in
	@! grep -nE '://|index-url|find-links' requirements/*.txt || \
		{ echo "error: a URL landed in requirements/*.txt" >&2; exit 1; }
	$(BIN)/uv pip compile --universal --python-version 3.13 --generate-hashes --quiet \
		-c requirements/dev.txt -o /dev/null requirements/dev.in
	@echo "lock OK (also resolves for python 3.13)"

STRIP_FUNDING_JS = const fs = require("fs"), f = "package-lock.json"; \
	const l = JSON.parse(fs.readFileSync(f, "utf8")); \
	for (const p of Object.values(l.packages || {})) delete p.funding; \
	fs.writeFileSync(f, JSON.stringify(l, null, 2) + "\n");

# Regenerates package-lock.json (.npmrc keeps registry addresses out of it); the
# informational "funding" URLs npm copies from package.json files are stripped too.
lock-npm: ## Re-generate package-lock.json from package.json
	npm install --package-lock-only --no-audit --no-fund
	node -e '$(STRIP_FUNDING_JS)'
	@! grep -nE 'resolved|://' package-lock.json || \
		{ echo "error: an address landed in package-lock.json" >&2; exit 1; }

# ------------------------------------------------------------------ clean
.PHONY: clean
clean: ## Remove the venv, node_modules and caches
	rm -rf $(VENV) $(SAM_VENV) $(MINISTACK_VENV) node_modules build dist *.egg-info .mypy_cache .ruff_cache \
		.pytest_cache .hypothesis .import_linter_cache .coverage
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
