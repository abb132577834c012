# nls: `make demo` runs the sync end to end on a local cluster and emulator; `make test` runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
# PostgreSQL refuses to run as root: as root, the tests, demo and benchmarks run as the OS user postgres.
AS_PG := $(shell [ "$$(id -u)" = 0 ] && echo "runuser -u postgres --")
RUN := $(AS_PG) env PYTHONDONTWRITEBYTECODE=1

.PHONY: deps venv test demo demo-stop bench clean

deps:
	@scripts/install-deps.sh

$(VENV)/.installed: pyproject.toml
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

venv: deps $(VENV)/.installed

test: venv
	$(RUN) $(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

demo: venv
	@install -d $(if $(AS_PG),-o postgres) .demo
	$(RUN) $(PY) scripts/demo.py start

demo-stop:
	$(RUN) $(PY) scripts/demo.py stop

bench: venv
	@install -d $(if $(AS_PG),-o postgres) .demo
	$(RUN) $(PY) bench/bench_sync.py $(BENCH_ARGS)

clean:
	-$(RUN) $(PY) scripts/demo.py stop
	rm -rf .demo $(VENV) *.egg-info
