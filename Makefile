# nls: `make demo` runs the sync end to end on a local cluster and emulator; `make test` runs the tests.
# Everything runs as the invoking user, from any folder; as root, scripts/pg_cluster.py runs the PostgreSQL server
# itself as the OS user postgres, with its data outside the checkout.
VENV ?= .venv
PY := $(VENV)/bin/python
RUN := env PYTHONDONTWRITEBYTECODE=1

.PHONY: deps venv test test-unit demo demo-stop bench clean

deps:
	@scripts/install-deps.sh

$(VENV)/.installed: pyproject.toml
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,emulator,export]'
	touch $@

venv: deps $(VENV)/.installed

# the whole suite (tests/unit included), against a real PostgreSQL 15 with plpython3u and pg_cron
test: venv
	$(RUN) $(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

# the unit tests only: they need the venv, not PostgreSQL
test-unit: $(VENV)/.installed
	$(RUN) $(VENV)/bin/pytest -p no:cacheprovider tests/unit $(PYTEST_ARGS)

demo: venv
	$(RUN) $(PY) scripts/demo.py start

demo-stop:
	$(RUN) $(PY) scripts/demo.py stop

bench: venv
	$(RUN) $(PY) bench/bench_sync.py $(BENCH_ARGS)
	$(RUN) $(PY) bench/bench_export.py

clean:
	-$(RUN) $(PY) scripts/demo.py clean
	rm -rf .demo $(VENV) *.egg-info
