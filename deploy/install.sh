#!/bin/sh
# Installs the bot into a virtual environment without building anything: pip itself, the locked
# packages and the bot's own wheel (made by `make wheel` into dist/) arrive as wheels, each
# checked against its hash (requirements-pip.txt, REQUIREMENTS, dist/petition-bot.txt), and the
# setuptools that Python 3.11's venv adds is taken out. `make run`, `make test` and the servers
# (README, "Running in production") all install this way.
# Usage, from the checkout: deploy/install.sh VENV [REQUIREMENTS]   (default requirements.txt)
set -eu
venv=${1:?usage: deploy/install.sh VENV [REQUIREMENTS]}
requirements=${2:-requirements.txt}
if [ ! -f dist/petition-bot.txt ]; then
    echo "dist/petition-bot.txt is missing: build the wheel with 'make wheel' first" >&2
    exit 1
fi
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check --quiet"
$pip install --only-binary=:all: --require-hashes --no-deps -r requirements-pip.txt
$pip install --only-binary=:all: --require-hashes --no-deps -r "$requirements"
if $pip show setuptools >/dev/null 2>&1; then
    $pip uninstall --yes setuptools
fi
# The bot's wheel from dist/ only (never a package of the same name from an index), installed
# again even when the version is unchanged.
$pip install --only-binary=:all: --require-hashes --no-deps --force-reinstall \
    --no-index --find-links dist -r dist/petition-bot.txt
