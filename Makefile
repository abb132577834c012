# nls: `make demo` runs the sync end to end on a local cluster and emulator; `make test` runs the tests.
# Everything runs as the invoking user, from any folder; as root, scripts/pg_cluster.py runs the PostgreSQL server
# itself as the OS user postgres, with its data outside the checkout.
VENV ?= .venv
PY := $(VENV)/bin/python
# Anki's library for the server's own Python (the optional Anki sync): as root where the setting anki_python_path
# points by default, otherwise inside this checkout (the server then runs as you; the tests point the setting at it)
ANKI_SERVER_DIR ?= $(if $(filter 0,$(shell id -u)),/usr/local/lib/nls/anki-python,$(CURDIR)/.anki-python)
export NLS_ANKI_PYTHON_PATH := $(ANKI_SERVER_DIR)
RUN := env PYTHONDONTWRITEBYTECODE=1

.PHONY: deps venv anki lint test test-unit schema docs freeze demo demo-stop samples upgrade-session bench clean

deps:
	@scripts/install-deps.sh

# (again when the release changes: nls --version reads it from the installed metadata)
$(VENV)/.installed: pyproject.toml installer/nls_install/__init__.py
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,lint]'
	touch $@

venv: deps $(VENV)/.installed anki

# Anki's library (AGPL-3.0) in the venv and for the server's Python; a failure only makes the Anki tests skip
anki: $(VENV)/.installed
	@scripts/install-anki.sh "$(ANKI_SERVER_DIR)" "$(VENV)"

# ruff (the lint rules, then the format: `ruff format` rewrites what --check finds) and mypy, over the whole tree,
# configured in pyproject.toml (the venv has Anki's library, so mypy checks the calls into it)
# (ruff: every Python file of the checkout but what .gitignore leaves out; mypy: the folders `files` lists)
lint: venv
	$(RUN) $(VENV)/bin/ruff check .
	$(RUN) $(VENV)/bin/ruff format --check .
	$(RUN) $(VENV)/bin/mypy

# the whole suite (tests/unit included), against a real PostgreSQL 15 with plpython3u and pg_cron: one pytest-xdist
# process per core (TEST_JOBS), each with its own throwaway cluster, a test file's tests in one process
TEST_JOBS ?= $(shell nproc)
test: venv
	$(RUN) $(VENV)/bin/pytest -p no:cacheprovider -n $(TEST_JOBS) --dist loadfile $(PYTEST_ARGS)

# the unit tests only: they need the venv, not PostgreSQL
test-unit: $(VENV)/.installed
	$(RUN) $(VENV)/bin/pytest -p no:cacheprovider tests/unit $(PYTEST_ARGS)

# the committed schema tests/schema.sql, from a fresh install on a throwaway cluster: run it after a schema change
# and review the diff (a test fails while an installed schema differs from it)
schema: $(VENV)/.installed
	$(RUN) $(PY) scripts/schema_dump.py tests/schema.sql

# the generated parts of docs/ (the settings table, the SQL reference), from a fresh install on a throwaway cluster: run
# it after changing a setting or a COMMENT ON and review the diff (tests/test_docs.py fails while a part differs)
docs: $(VENV)/.installed
	$(RUN) $(PY) scripts/docs.py

# making a release: its migrations join migrations/frozen.txt (sha256sum's format), never to change again
freeze:
	cd migrations && for f in *.sql; do grep -q "  $$f$$" frozen.txt || sha256sum "$$f" >> frozen.txt; done

demo: venv
	$(RUN) $(PY) scripts/demo.py start

demo-stop:
	$(RUN) $(PY) scripts/demo.py stop

# rewrite the sample psql sessions of the README and docs/ from a real run (tests/test_readme_samples.py checks them)
samples: $(VENV)/.installed
	$(RUN) $(PY) scripts/samples.py

# rewrite the real session of docs/upgrading.md (an upgrade from the previous release, built from this repository's
# history, then stepping back) from a run on a throwaway cluster: for each release, after its last migration
# (half a minute)
upgrade-session: $(VENV)/.installed
	$(RUN) $(PY) scripts/upgrade_session.py

bench: venv
	$(RUN) $(PY) bench/bench_sync.py $(BENCH_ARGS)
	$(RUN) $(PY) bench/bench_fresh.py $(FRESH_ARGS)
	$(RUN) $(PY) bench/bench_export.py
	$(RUN) $(PY) bench/bench_push.py
	$(RUN) $(PY) bench/bench_events.py
	$(RUN) $(PY) bench/bench_worker.py $(WORKER_ARGS)

clean:
	-$(RUN) $(PY) scripts/demo.py clean
	rm -rf .demo $(VENV) *.egg-info .anki-python
