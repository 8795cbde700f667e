# Two commands for a fresh machine: `make run` starts the bot, `make test` runs every check.
# Both install exactly the versions pinned, with hashes, in requirements*.txt (see `make lock`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
BUILD_VENV := $(VENV)-build
BUILD_STAMP := $(BUILD_VENV)/.installed
LOCK_VENV := $(VENV)-lock
LOCK_STAMP := $(LOCK_VENV)/.installed
DIST := dist
WHEEL_LOCK := $(DIST)/petition-bot.txt
LOCALES := locales
DOMAIN := bot
# What goes into the wheel: a change to any of them builds it again.
PACKAGE_FILES := pyproject.toml README.md LICENSE \
	$(shell find bot migrations locales -type f ! -name '*.py[co]' ! -name '*.mo')

.PHONY: run test wheel extract update-catalogs lint typecheck unit bench lock clean

run: $(RUN_STAMP)
	$(BIN)/petition-bot

test: lint typecheck unit

wheel: $(WHEEL_LOCK)

# Nothing is built in .venv: deploy/install.sh puts in pip, the locked packages and the bot's own
# wheel, all as wheels checked against their hashes, and takes out the setuptools that Python
# 3.11's venv adds. The servers install the same way (README, "Running in production").
$(RUN_STAMP): deploy/install.sh requirements-pip.txt requirements.txt $(WHEEL_LOCK)
	PYTHON=$(PYTHON) deploy/install.sh $(VENV) requirements.txt
	touch $@

$(DEV_STAMP): deploy/install.sh requirements-pip.txt requirements-dev.txt $(WHEEL_LOCK)
	PYTHON=$(PYTHON) deploy/install.sh $(VENV) requirements-dev.txt
	touch $@ $(RUN_STAMP)

# $(call pinned_venv,FOLDER,REQUIREMENTS): a virtual environment for a tool, its pip and the
# tool's packages installed as wheels checked against their hashes.
define pinned_venv
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip --disable-pip-version-check install --quiet \
		--only-binary=:all: --require-hashes --no-deps -r requirements-pip.txt -r $(2)
	touch $@
endef

# The bot's wheel is built here only, with the pinned setuptools and no build isolation (so
# nothing unpinned is fetched), then named with its hash in dist/petition-bot.txt for
# deploy/install.sh. The timestamps come from the last commit, so the same commit gives the same
# wheel, byte for byte, on any machine: a server's operator can build it again and compare.
$(BUILD_STAMP): requirements-pip.txt requirements-build.txt
	$(call pinned_venv,$(BUILD_VENV),requirements-build.txt)

$(WHEEL_LOCK): $(BUILD_STAMP) $(PACKAGE_FILES)
	rm -rf $(DIST) build
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || echo 315532800) \
		$(BUILD_VENV)/bin/python -m pip --disable-pip-version-check wheel --quiet \
		--no-deps --no-build-isolation --wheel-dir $(DIST) .
	rm -rf build *.egg-info
	wheel=$$(cd $(DIST) && echo petition_bot-*-py3-none-any.whl) && version=$${wheel#*-} && \
		echo "petition-bot==$${version%%-*} $$($(BUILD_VENV)/bin/python -m pip hash \
		$(DIST)/$$wheel | tail -n 1)" > $@

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Two test workers per core, each taking work from the others when it runs out: many tests
# wait on a subprocess, a server or a timer, so a core has room for a second one.
unit: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -n $$(( 2 * $$(nproc 2>/dev/null || echo 1) )) --dist worksteal

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

# Pin every package (direct and transitive) with hashes, from PyPI only, choosing only releases
# that have wheels: `make lock` after a change to pyproject.toml keeps every other pin;
# `make lock UPGRADE=1` moves all to the newest releases the ranges allow. It writes the
# runtime (requirements.txt), development (-dev), wheel-building (-build: setuptools), pip
# (-pip) and pip-tools (-lock) locks. Review the diff, then `make test`: a lock lands only with
# a green run.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links --pip-args '--only-binary=:all:' $(if $(UPGRADE),--upgrade)
COMPILE := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(LOCK_VENV)/bin/pip-compile $(LOCK_FLAGS)

$(LOCK_STAMP): requirements-pip.txt requirements-lock.txt
	$(call pinned_venv,$(LOCK_VENV),requirements-lock.txt)

lock: $(LOCK_STAMP)
	$(COMPILE) --extra dev -o requirements-dev.txt pyproject.toml
	$(COMPILE) -o requirements.txt pyproject.toml
	$(COMPILE) --all-build-deps --only-build-deps -o requirements-build.txt pyproject.toml
	echo 'pip' | $(COMPILE) -o requirements-pip.txt -
	echo 'pip-tools>=7.4,<8' | $(COMPILE) -o requirements-lock.txt -

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
	rm -rf $(VENV) $(BUILD_VENV) $(LOCK_VENV) $(DIST) build *.egg-info
