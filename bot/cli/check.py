"""`petition-bot check`: the set-up, the campaigns and the cost of a pseudonym, without running."""

from __future__ import annotations

import sys
import time

from bot.cli.common import CONFIG_ERROR
from bot.config import SUPPORTED_LANGUAGES, Settings, SettingsError, load_settings
from bot.core.content import campaign_problems
from bot.crypto import slow_base
from bot.domain.campaigns import Campaign
from bot.i18n import CatalogError, I18n
from bot.ops.signer_key import with_signer_key
from bot.site import content as site_content
from bot.storage.sqlite import MigrationError, migration_files


def check_command() -> int:
    """Validates settings, campaigns, migrations and catalogs; writes and contacts nothing."""
    problems: list[str] = []
    try:
        settings: Settings | None = with_signer_key(load_settings(), create=False)
    except SettingsError as exc:
        problems.append(f"configuration error: {exc}")
        settings = None
    campaigns: list[Campaign] = []
    if settings is not None:
        campaigns, content = campaign_problems(settings.campaigns_dir)
        problems += [f"campaign content error: {p}" for p in content]
        for campaign in campaigns:  # what its public page would have to drop
            problems += [f"campaign content error: {p}" for p in site_content.problems(campaign)]
    try:
        migration_files()
        I18n()
    except (MigrationError, CatalogError) as exc:
        problems.append(f"installation error: {exc}")
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return CONFIG_ERROR
    slugs = ", ".join(c.slug for c in campaigns)
    print(f"ok: settings valid; {len(campaigns)} campaigns ({slugs})")
    for campaign in campaigns:
        for note in site_content.notes(campaign, SUPPORTED_LANGUAGES):
            print(f"note: {note}")
    if settings is not None:
        print(pseudonym_cost_report(settings))
    return 0


# Published figure: an RTX 4090 moves about 1 TB/s; argon2id reads two blocks and writes one
# per block per pass, so one test of an id moves about 3 x passes x memory.
GPU_BYTES_PER_SECOND = 1.0e12


def pseudonym_cost_report(settings: Settings) -> str:
    """What testing one Telegram id costs whoever holds the database and the key (measured
    here, on one core), and what enumerating all 10^10 ids would take."""
    cost = settings.pseudonym_cost
    key, runs = b"k" * 32, []
    for n in range(5):
        started = time.perf_counter()
        slow_base(key, f"{n:064x}", cost.memory_kib, cost.passes, cost.lanes)
        runs.append(time.perf_counter() - started)
    per_id = sorted(runs)[2]
    core_years = per_id * 1e10 / (365.25 * 86400)
    gpu_rate = GPU_BYTES_PER_SECOND / (3 * cost.passes * cost.memory_kib * 1024)
    gpu_days = 1e10 / gpu_rate / 86400
    return (
        f"pseudonyms: {cost.text}; one Telegram id costs {per_id * 1000:.0f} ms on one core, "
        f"so 10^10 ids take {core_years:,.0f} core-years, or about {gpu_days:,.0f} days on one "
        f"current GPU (~{gpu_rate:,.0f} ids/s, memory-bandwidth bound). The signer key, not this "
        "cost, is what protects signers: the cost makes a mass enumeration expensive once the "
        "key is taken (README, 'Threat model')"
    )
