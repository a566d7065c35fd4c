# Plain entry points; README.md names them. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $(VENV)/.installed $@

## run: install, then serve the bundled payments contract as a mock API (Ctrl-C stops it),
## misbehaving as the `flaky` scenario (`make run SCENARIO=` for none, or another name/file)
SCENARIO ?= flaky
run: $(VENV)/.installed
	$(BIN)/contractkit mock contracts/payments.yaml --port 8080 $(if $(SCENARIO),--scenario $(SCENARIO))

## test: install with test extras, lint, type-check, run the suite, build the docs
test: lint typecheck $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc
	$(BIN)/mkdocs build --strict --site-dir build/site

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts examples

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

docs: $(VENV)/.installed-dev
	$(BIN)/mkdocs build --strict --site-dir build/site

## bench: performance figures, each next to a baseline measured in the same run
bench: $(VENV)/.installed-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_server.py
	$(BIN)/python benchmarks/bench_diff.py
	$(BIN)/python benchmarks/bench_faults.py
	$(BIN)/python benchmarks/bench_plugin.py
	$(BIN)/python benchmarks/bench_soak.py
	$(BIN)/python benchmarks/bench_webhooks.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
