# Two commands for a fresh machine: `make run` starts the bot, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := locales
DOMAIN := bot
LANGS := en be ru uk pl

.PHONY: run test setup catalogs extract update-catalogs lint typecheck unit bench clean

run: setup
	$(BIN)/python -m bot

test: setup lint typecheck unit

setup: $(STAMP) catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled catalogs are build output: built here, never committed.
catalogs: $(STAMP)
	$(BIN)/pybabel compile --domain $(DOMAIN) --directory $(LOCALES) --statistics 2>&1 | grep -v '^$$' || true
	@for l in $(LANGS); do test -f $(LOCALES)/$$l/LC_MESSAGES/$(DOMAIN).mo || { echo "catalog $$l did not compile"; exit 1; }; done

# Translator workflow: extract -> update-catalogs -> translate the .po files -> make test.
extract: $(STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords 'ngettext:1,2' --keywords 'N_' \
		--add-comments 'Translators:' --sort-by-file --no-wrap --omit-header \
		--project petition-bot --output $(LOCALES)/$(DOMAIN).pot bot

update-catalogs: extract
	$(BIN)/pybabel update --domain $(DOMAIN) --input-file $(LOCALES)/$(DOMAIN).pot \
		--output-dir $(LOCALES) --no-wrap --ignore-obsolete --no-fuzzy-matching

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(LOCALES)/*/LC_MESSAGES/*.mo
