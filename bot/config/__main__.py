"""`python -m bot.config`: the configuration table to paste into the README."""

import sys

from bot.config.table import readme_table

sys.stdout.write(readme_table())
