"""What an admin sees of /campaigns and /campaign: each campaign's owner, status and missing
languages, and what a change of a live campaign did (or why it waits for another admin)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.campaign_edits import Overview, SwitchAsked
from bot.core.campaign_fields import Changed
from bot.domain.campaigns import Campaign, Owner
from bot.i18n import Translator
from bot.telegram.views.common import View, bold, button, esc, keyboard

ChangedView = Callable[[Translator, Changed], View]


def overview(t: Translator, rows: list[Overview]) -> View:
    """/campaigns: owner, status and missing languages of each campaign."""
    lines = [bold(t._("Campaigns"))]
    for row in rows:
        c = row.campaign
        owner = (
            t._("folder {folder}").format(folder=c.folder)
            if c.owner is Owner.FOLDER
            else t._("database")
        )
        status = t._("open") if c.is_open else t._("closed")
        missing = ", ".join(row.missing) or "—"
        line = t._("{slug}: {owner}, {status}; missing languages: {missing}").format(
            slug=c.slug, owner=owner, status=status, missing=missing
        )
        if row.waiting:
            line += " · " + t.ngettext(
                "{count} text waiting", "{count} texts waiting", row.waiting
            ).format(count=t.number(row.waiting))
        lines.append("• " + esc(line))
    return View("\n".join(lines))


def _state(t: Translator, value: bool) -> str:
    """As campaign.toml writes it: the admin reads the same word in the README and the file."""
    return "true" if value else "false"


def switch_set(t: Translator, campaign: Campaign, name: str) -> View:
    title = campaign.text_for(t.language)[0].title
    line = t._("“{title}”: {setting} is now {state}.").format(
        title=title, setting=name, state=_state(t, getattr(campaign, name))
    )
    return View(esc(line))


def switch_waiting(t: Translator) -> View:
    return View(
        esc(t._("This widens who sees names already signed, so it waits for another admin."))
    )


def switch_asked(t: Translator, asked: SwitchAsked) -> View:
    """To the other admins: a widening change, with Apply and Refuse."""
    title = asked.campaign.text_for(t.language)[0].title
    text = t._(
        "Another admin asks to set {setting} to {state} for “{title}”. It widens who sees "
        "names already signed (each still only as far as its signer agreed). Apply it only if "
        "you checked it with them."
    ).format(setting=asked.name, state=_state(t, asked.value), title=title)
    return View(
        esc(text),
        keyboard(
            [
                button("✅ " + t._("Apply"), "sw", asked.id, asked.revision, "y"),
                button("✖️ " + t._("Refuse"), "sw", asked.id, asked.revision, "n"),
            ]
        ),
    )


def _goals(t: Translator, campaign: Campaign) -> str:
    if not campaign.goals:
        return t._("the default ladder")
    return ", ".join(t.number(goal) for goal in campaign.goals)


def goals_changed(t: Translator, done: Changed) -> View:
    title = done.after.text_for(t.language)[0].title
    line = t._("“{title}”: the goals are now {goals} (they were {before}).").format(
        title=title, goals=_goals(t, done.after), before=_goals(t, done.before)
    )
    return View(esc(line))


def addressees_changed(t: Translator, done: Changed) -> View:
    """The new list, and which texts name the addressees in their own language (to be sent
    again if the names changed)."""
    after = done.after
    title = after.text_for(t.language)[0].title
    count = len(after.addressees)
    head = t.ngettext(
        "“{title}” now has {count} addressee:",
        "“{title}” now has {count} addressees:",
        count,
    ).format(title=title, count=t.number(count))
    lines = [esc(head), *("• " + esc(name) for name in after.addressees)]
    own = [t.language_name(lang) for lang, text in sorted(after.texts.items()) if text.addressees]
    if own:
        note = t._(
            "The texts in {languages} name the addressees in their own language: send them "
            "again if the names changed."
        ).format(languages=", ".join(own))
        lines += ["", esc(note)]
    return View("\n".join(lines))


def kind_changed(t: Translator, done: Changed) -> View:
    title = done.after.text_for(t.language)[0].title
    if done.after.kind == "petition":
        line = t._("“{title}” is now a petition.")
    else:
        line = t._("“{title}” is now an open letter.")
    return View(esc(line.format(title=title)))


def default_changed(t: Translator, done: Changed) -> View:
    title = done.after.text_for(t.language)[0].title
    line = t._("“{title}”: readers whose language has no text are now shown {language}.")
    return View(
        esc(line.format(title=title, language=t.language_name(done.after.default_language)))
    )


def language_removed(t: Translator, done: Changed) -> View:
    after = done.after
    language = min(set(done.before.texts) - set(after.texts), default="")
    title = after.text_for(t.language)[0].title
    line = t._(
        "“{title}” no longer has a text in {language}: its readers are shown {default}. "
        "Signatures made in it stay, each bound to the text its signer confirmed; send the "
        "text again to add it back."
    ).format(
        title=title,
        language=t.language_name(language),
        default=t.language_name(after.default_language),
    )
    return View(esc(line))
