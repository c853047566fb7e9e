# Two commands do all set-up on a fresh machine:
#   make run    — create .venv, install, run the loop on the bundled data
#   make test   — create .venv, install, run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ARGS ?=
PYTEST_ARGS ?=
# Test files run in this many processes (pytest-xdist), each file whole in one (its module-scoped
# loops run once): 2 on this 2-core machine took the suite from 17 to 13 minutes.
PYTEST_WORKERS ?= 2

.PHONY: install run test ui bench

$(STAMP): pyproject.toml setup.py Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: this version resolves to the CPU build (a CUDA build is several GB).
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	# Dagster's CLI reads neither workspace.yaml nor [tool.dagster] for `asset materialize`: name the
	# code location in the venv's activation, so the design card's command works as typed.
	grep -q DAGSTER_MODULE_NAME $(VENV)/bin/activate || \
	  printf '\n# adversarial_mlops: `dagster asset materialize --select champion_model` finds the code location\nexport DAGSTER_MODULE_NAME=adversarial_mlops.dagster_defs.definitions\n' >> $(VENV)/bin/activate
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) scripts/run_pipeline.py $(ARGS)

test: $(STAMP)
	# pytest exits 5 when it collected no test: that is a failure here, not a pass.
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

ui: $(STAMP)
	$(VENV)/bin/adversarial-mlops ui

bench: $(STAMP)
	$(PY) bench/loop.py
