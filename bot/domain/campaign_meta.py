"""campaign.toml written from a Campaign, in one canonical form.

A campaign the database owns keeps its settings as this text: `campaigns export` writes it as
it is, `campaigns import` stores what the loader read written again, so export, import and
export give the same bytes. A switch is written only where it differs from its default (and
`review_public_names` only where the file named it), so the loader reads back the same
campaign.
"""

from __future__ import annotations

import json

from bot.domain.campaigns import Campaign

# (field, default): the switches bot.core.content reads, in the order they are written.
SWITCHES = (
    ("nameless", False),
    ("signatories", True),
    ("list_earlier_signatures", False),
    ("web_signatories", False),
    ("list_earlier_on_web", False),
)


def _string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (\\", \\\\, \\n, \\uXXXX)."""
    return json.dumps(value, ensure_ascii=False)


def render_meta(campaign: Campaign) -> str:
    lines = [
        f"slug = {_string(campaign.slug)}",
        f"kind = {_string(campaign.kind)}",
        f"status = {_string('open' if campaign.is_open else 'closed')}",
        f"default_language = {_string(campaign.default_language)}",
    ]
    if campaign.started is not None:
        lines.append(f"started = {campaign.started.isoformat()}")
    if campaign.closed_on is not None:
        lines.append(f"closed_on = {campaign.closed_on.isoformat()}")
    if campaign.goals:
        lines.append(f"goals = [{', '.join(str(goal) for goal in campaign.goals)}]")
    for name, default in SWITCHES:
        if getattr(campaign, name) != default:
            lines.append(f"{name} = {str(getattr(campaign, name)).lower()}")
    if campaign.review_explicit:
        lines.append(f"review_public_names = {str(campaign.review_public_names).lower()}")
    for addressee in campaign.addressees:
        lines += ["", "[[addressees]]", f"name = {_string(addressee)}"]
    return "\n".join(lines) + "\n"
