"""Which organiser command needs which Level: the one table, read when the commands are
registered (handlers.admin_common), when menus are published (menus) and when a moderator is
told what they may use (views.admin)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.organisers import Level
from bot.i18n import N_


@dataclass(frozen=True)
class OrganiserCommand:
    name: str
    description: str  # an N_ msgid, translated when the menu is built
    level: Level  # the least an organiser needs for it
    # For a command a moderator may use only in part: what they may do with it, an N_ msgid
    # naming the usage ("/export [campaign] funnel"), and the menu text they see.
    moderator_usage: str = ""
    moderator_description: str = ""

    def description_for(self, level: Level) -> str:
        """The menu and /help text this organiser sees (an N_ msgid)."""
        if level is Level.MODERATOR and self.moderator_description:
            return self.moderator_description
        return self.description


def commands_for(level: Level) -> list[tuple[str, str]]:
    """(name, N_ msgid) of every organiser command `level` may use: menus and /help."""
    return [(c.name, c.description_for(level)) for c in ORGANISER_COMMANDS if level.covers(c.level)]


# Every organiser command, its menu text and the level it needs, defined only here:
# admin_common registers each command with the level found here, so none exists without one.
ORGANISER_COMMANDS = (
    # Moderators may export the funnel (counts only); the formats with names need an admin.
    OrganiserCommand(
        "export",
        N_("signatures as CSV, JSON, list or PDF; the funnel"),
        Level.MODERATOR,
        moderator_usage=N_("/export [campaign] funnel"),
        moderator_description=N_("the funnel's counts as CSV (names are the admins')"),
    ),
    OrganiserCommand("stats", N_("numbers, sources and a chart"), Level.MODERATOR),
    OrganiserCommand("goal", N_("show or set the goal"), Level.ADMIN),
    OrganiserCommand("remove", N_("remove a signature by number"), Level.MODERATOR),
    OrganiserCommand("block", N_("remove a signature and block the signer"), Level.MODERATOR),
    OrganiserCommand(
        "review", N_("approve or hide public names waiting for review"), Level.MODERATOR
    ),
    OrganiserCommand("hide", N_("hide a name from the public list and documents"), Level.MODERATOR),
    OrganiserCommand("unhide", N_("show a hidden name again"), Level.MODERATOR),
    OrganiserCommand("broadcast", N_("message opted-in signers (reply to a message)"), Level.ADMIN),
    OrganiserCommand("source", N_("named links to track where signers come from"), Level.MODERATOR),
    OrganiserCommand("purge", N_("remove a wave of spam signatures by time window"), Level.ADMIN),
    OrganiserCommand("backup", N_("a copy of the database"), Level.ADMIN),
    OrganiserCommand("reload", N_("reload campaign texts"), Level.ADMIN),
    OrganiserCommand("newcampaign", N_("create a campaign step by step"), Level.ADMIN),
    OrganiserCommand(
        "campaigns", N_("every campaign: owner, status, missing languages"), Level.ADMIN
    ),
    OrganiserCommand("campaign", N_("change, close or reopen a campaign"), Level.ADMIN),
    OrganiserCommand("bots", N_("the official bots and their roles"), Level.ADMIN),
)


def organiser_command(name: str) -> OrganiserCommand:
    """The table entry for /name; a command missing from the table cannot be registered."""
    for command in ORGANISER_COMMANDS:
        if command.name == name:
            return command
    raise LookupError(f"/{name} is not in ORGANISER_COMMANDS: give it a level there")
