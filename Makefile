# Two commands for a fresh machine: `make run` starts the bot, `make test` runs every check.
# Both install exactly the versions pinned, with hashes, in requirements*.txt (see `make lock`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
LOCALES := locales
DOMAIN := bot

.PHONY: run test extract update-catalogs lint typecheck unit bench lock clean

run: $(RUN_STAMP)
	$(BIN)/petition-bot

test: lint typecheck unit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies first, all hashed; then the project itself without touching them. No build
# isolation, so the build uses the pinned setuptools instead of whatever is newest.
$(RUN_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes --no-deps -r requirements.txt
	PYTHONWARNINGS=ignore $(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(DEV_STAMP): requirements-dev.txt pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-dev.txt
	PYTHONWARNINGS=ignore $(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(RUN_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest -q

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

# Pin every package (direct and transitive) with hashes, from PyPI only: `make lock` after a
# change to pyproject.toml keeps every other pin; `make lock UPGRADE=1` moves all to the newest
# releases the ranges allow. Review the diff, then `make test`: a lock lands only with a green run.
LOCK_ENV := $(VENV)-lock
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock:
	test -x $(LOCK_ENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_ENV) && \
		$(LOCK_ENV)/bin/python -m pip install --quiet 'pip-tools>=7.4,<8'; }
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(LOCK_ENV)/bin/pip-compile $(LOCK_FLAGS) \
		--extra dev -o requirements-dev.txt pyproject.toml
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(LOCK_ENV)/bin/pip-compile $(LOCK_FLAGS) \
		-o requirements.txt pyproject.toml

# Translations, one command: `make update-catalogs` extracts the strings into the template,
# merges it into every catalog and fills the English one; then translate the .po files and
# `make test` names whatever is still missing or fuzzy (CONTRIBUTING.md, "Translations").
# A changed string keeps its old translation marked fuzzy for the translator to check (the bot
# shows English until then). Locations carry no line numbers, and the template no date, so a
# catalog changes only when its strings do: fewer conflicts between branches. (No --previous:
# Babel cannot read back the old msgids it writes, and would keep them as comments forever.)
extract: $(DEV_STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords 'ngettext:1,2' --keywords 'N_' \
		--add-comments 'Translators:' --sort-by-file --no-wrap --omit-header \
		--add-location file --output $(LOCALES)/$(DOMAIN).pot bot

update-catalogs: extract
	$(BIN)/pybabel update --domain $(DOMAIN) --input-file $(LOCALES)/$(DOMAIN).pot \
		--output-dir $(LOCALES) --no-wrap --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/python tools/finish_catalogs.py

clean:
	rm -rf $(VENV) $(LOCK_ENV) build *.egg-info
