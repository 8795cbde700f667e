"""The signing flow's messages: privacy notice, prompts, preview, thanks, withdrawal."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings, backup_window_days
from bot.core.choices import Kept, preference_days
from bot.domain.campaigns import Campaign
from bot.domain.flow import Field
from bot.domain.goals import Progress
from bot.domain.paging import utf16_len
from bot.domain.signatories import Listing, Place, Review
from bot.domain.signatures import Draft, Signature
from bot.domain.text_rules import FIELD_MAX, NAME_MAX, NAME_MIN, Problem
from bot.i18n import Translator
from bot.telegram.views import cleanup as cleanup_views
from bot.telegram.views.bots import official_line
from bot.telegram.views.campaign import progress_lines
from bot.telegram.views.common import (
    Rows,
    View,
    button,
    esc,
    kept_keyboard,
    kept_rows,
    keyboard,
    rows,
    shorten,
    user_text,
)


def backup_line(t: Translator, days: int | None) -> str:
    """How long a withdrawn name may stay in the scheduled (encrypted) backups; "" if none."""
    if not days:
        return ""
    return esc(
        t.ngettext(
            "A withdrawn name may remain for up to {days} day in the organisers' encrypted "
            "backups, until they are replaced by newer ones.",
            "A withdrawn name may remain for up to {days} days in the organisers' encrypted "
            "backups, until they are replaced by newer ones.",
            days,
        ).format(days=t.number(days))
    )


def choices_kept(t: Translator, kept: Kept, settings: Settings) -> str:
    """Where a person's language and clean-up choices are kept, and for how long."""
    if kept is Kept.WITH_DRAFT:
        hours = settings.draft_ttl_hours
        return t.ngettext(
            "You have not signed anything, so your choices (language, automatic clean-up) are "
            "kept only with your unfinished signature and erased {hours} hour after your last "
            "step here, unless you sign.",
            "You have not signed anything, so your choices (language, automatic clean-up) are "
            "kept only with your unfinished signature and erased {hours} hours after your last "
            "step here, unless you sign.",
            hours,
        ).format(hours=t.number(hours))
    days = preference_days(settings)
    return t.ngettext(
        "Your choices (language, automatic clean-up) are kept with your signature and erased "
        "{days} day after your last change, or at once when you withdraw your last "
        "signature.",
        "Your choices (language, automatic clean-up) are kept with your signature and erased "
        "{days} days after your last change, or at once when you withdraw your last "
        "signature.",
        days,
    ).format(days=t.number(days))


def privacy_notice(t: Translator, settings: Settings) -> str:
    """Every sentence is true of the code: what a signature row holds, what the pseudonym is
    and where its key lives, who sees what, how long each thing is kept."""
    lines = [
        "🔒 <b>{}</b>".format(esc(t._("Your privacy"))),
        esc(
            t._(
                "With your signature we record what you enter (your name, and optionally your "
                "role and organisation), whether your name may be shown publicly, your "
                "language, the link you came through (which group or shared link, never who "
                "sent it) and the exact time you signed. We do not store your Telegram "
                "username, phone number or photo."
            )
        ),
        esc(
            t._(
                "Your Telegram account is kept only as a pseudonym: a code computed from it with "
                "a secret key. The key is kept on "
                "the bot's server apart from the database and its backups; whoever holds both "
                "can tell whether a given account signed. Your Telegram id is stored only if "
                "you ask to be notified about the campaign, and is erased when you stop the "
                "notifications or withdraw."
            )
        ),
        esc(
            t._(
                "The campaign organisers see the signatures. If you choose to be public, your "
                "name, role and organisation appear in the documents handed to the addressees "
                "and, where the campaign publishes one, in the list of signatories anyone can "
                "read in this bot; otherwise you are only counted."
            )
        ),
        esc(
            t._(
                "A campaign that also publishes its list on its web page says so before you "
                "sign. A name on the web may outlive its withdrawal in copies and archives "
                "the bot cannot reach."
            )
        ),
        esc(
            t._(
                "You can withdraw at any time with /withdraw (your signature is erased), see "
                "everything we hold with /mydata, and stop all messages with /stop."
            )
        ),
        esc(choices_kept(t, Kept.WITH_DRAFT, settings)),
        esc(choices_kept(t, Kept.PREFERENCE, settings)),
    ]
    if settings.database_url:
        lines.append(
            esc(
                t._(
                    "The bot keeps its data on a PostgreSQL database server: what you withdraw "
                    "is deleted at once, but copies can remain in the server's log, replicas "
                    "and backups until the server overwrites them."
                )
            )
        )
    if days := settings.retention_days:
        lines.append(
            esc(
                t.ngettext(
                    "Signatures are erased {days} day after a campaign closes; only counts "
                    "remain (how many signed or withdrew each hour, and through which link).",
                    "Signatures are erased {days} days after a campaign closes; only counts "
                    "remain (how many signed or withdrew each hour, and through which link).",
                    days,
                ).format(days=t.number(days))
            )
        )
    if backup_days := backup_window_days(settings):
        lines.append(backup_line(t, backup_days))
    return "\n\n".join(lines)


def privacy_summary(t: Translator) -> str:
    """Two lines before the name prompt; the whole notice is one tap away."""
    return (
        "🔒 "
        + esc(
            t._(
                "What you type here is recorded with the time and the link you came through, "
                "never your username or phone number, and your Telegram account only as a code "
                "computed from it with a secret key."
            )
        )
        + "\n"
        + esc(
            t._(
                "The organisers see every name; the public list shows yours only if you choose to. "
                "/withdraw erases your signature at any time."
            )
        )
    )


def _cancel(t: Translator, slug: str) -> list:  # type: ignore[type-arg]
    return [button("✖️ " + t._("Cancel"), "cancel", slug)]


def _privacy_button(t: Translator, slug: str) -> list:  # type: ignore[type-arg]
    return [button("🔒 " + t._("Privacy in full"), "priv", slug)]


def name_prompt(
    t: Translator, campaign: Campaign, draft: Draft, profile_name: str | None, notice: str = ""
) -> View:
    text = "<b>{}</b>\n{}\n{}".format(
        esc(t._("Your name")),
        esc(
            t._("Type your name as it should appear ({min}-{max} characters).").format(
                min=NAME_MIN, max=NAME_MAX
            )
        ),
        esc(t._("You may add your role and your organisation on a second and third line.")),
    )
    offered = draft.name or profile_name
    use: list[InlineKeyboardButton] = []
    if offered:  # the person's own name: never kept past this view
        label = t._("Keep “{name}”") if draft.name else t._("Use “{name}”")
        use = [button(label.format(name=shorten(offered, 40)), "pname", draft.campaign)]
    nameless = campaign.nameless and not draft.editing
    key = ("name", draft.campaign, nameless)
    return View(
        f"{notice}{text}",
        keyboard(use, *kept_rows(t, key, lambda: _name_rows(t, draft.campaign, nameless))),
    )


def _name_rows(t: Translator, slug: str, nameless: bool) -> Rows:
    return rows(
        [button("🕶 " + t._("Count me without a name"), "noname", slug)] if nameless else [],
        _privacy_button(t, slug),
        _cancel(t, slug),
    )


def _fields(t: Translator, name: str | None, role: str | None, org: str | None) -> str:
    dash = "—"
    return "\n".join(
        [
            "{}: {}".format(esc(t._("Name")), user_text(name) if name else dash),
            "{}: {}".format(esc(t._("Role")), user_text(role) if role else dash),
            "{}: {}".format(esc(t._("Organisation")), user_text(org) if org else dash),
        ]
    )


def where_public(t: Translator, campaign: Campaign) -> str:
    """Where ✅ puts the name, as this campaign publishes names (bot.domain.signatories)."""
    if not campaign.signatories:
        return t._(
            "Either way your name is stored and handed to the organisers; with ✅ it is also "
            "printed in the documents handed to the addressees (this bot shows no list of "
            "signatories)."
        )
    if campaign.review_public_names:
        return t._(
            "Either way your name is stored and handed to the organisers; with ✅, once an "
            "organiser has checked it, anyone can read it in this bot's list of signatories "
            "(👥 Who signed), and it is printed in the documents handed to the addressees."
        )
    return t._(
        "Either way your name is stored and handed to the organisers; with ✅ anyone can read "
        "it in this bot's list of signatories (👥 Who signed), and it is printed in the "
        "documents handed to the addressees."
    )


def on_the_web(t: Translator) -> str:
    """Said on the preview of a campaign that publishes its list on its web page: the sign
    button carries this promise (bot.domain.signatories.Listing.promise)."""
    return t._(
        "🌐 With ✅ your name, role and organisation are also published on this campaign's "
        "public web page. A name on the open web can stay in copies and archives the bot "
        "cannot reach, even after you withdraw."
    )


def preview(t: Translator, campaign: Campaign, draft: Draft, notice: str = "") -> View:
    """Exactly what will be recorded, and the choice of being listed folded into signing."""
    text, _ = campaign.text_for(t.language)
    body = "<b>{}</b>\n{}\n\n{}\n\n<i>{}</i>\n\n{}".format(
        esc(t._("Check your signature")),
        esc(
            t._("This is exactly what will be recorded for the open letter “{title}”:")
            if campaign.kind == "letter"
            else t._("This is exactly what will be recorded for the petition “{title}”:")
        ).format(title=esc(text.title)),
        _fields(t, draft.name, draft.role, draft.organisation),
        esc(where_public(t, campaign))
        + ("\n\n" + esc(on_the_web(t)) if campaign.web_signatories else ""),
        esc(hidden_is_stored(t)),
    )
    promise = Listing.of(campaign).promise
    version = campaign.version_for(t.language)
    extras = bool(draft.role or draft.organisation)
    key = ("preview", draft.campaign, promise, version, draft.editing, extras)  # what it shows
    return View(
        f"{notice}{body}",
        kept_keyboard(t, key, lambda: _preview_rows(t, *key[1:])),
    )


def _preview_rows(
    t: Translator, slug: str, promise: str, version: str, editing: bool, extras: bool
) -> Rows:
    if editing:
        shown, hidden = t._("Save, show my name"), t._("Save, don't show my name")
    else:
        shown, hidden = t._("Sign with my name"), t._("Sign, don't show my name")
    more = t._("Change role and organisation") if extras else t._("Add role and organisation")
    return rows(
        [button("✅ " + shown, "ok", slug, 1, promise, version)],
        [button("🙈 " + hidden, "ok", slug, 0, promise, version)],
        [button("➕ " + more, "extras", slug)],
        [button("✏️ " + t._("Change name"), "edit", slug)],
        _cancel(t, slug),
    )


def hidden_is_stored(t: Translator) -> str:
    """The line next to 🙈: not showing a name is not anonymity."""
    return t._(
        "🙈 hides your name only from the public: it is still stored and handed to the "
        "organisers. If you are at risk, sign with your initials or a pseudonym."
    )


def filled_notice(t: Translator, filled: tuple[tuple[Field, str], ...]) -> str:
    """What text typed at the preview went into, shown above it: nothing changes unseen."""
    said = {
        Field.ROLE: t._("✏️ Added as your role: {value}"),
        Field.ORGANISATION: t._("✏️ Added as your organisation: {value}"),
    }
    return "".join(esc(said[f]).format(value=user_text(v)) + "\n" for f, v in filled) + "\n"


def no_room_notice(t: Translator) -> str:
    return (
        "⚠️ "
        + esc(
            t._(
                "Nothing was changed: text typed here fills the empty fields, role then "
                "organisation, and there was no room for it. To change your name, press "
                "✏️ Change name; for role and organisation, press ➕."
            )
        )
        + "\n\n"
    )


def extras_prompt(t: Translator, draft: Draft, notice: str = "") -> View:
    text = "<b>{}</b>\n{}".format(
        esc(t._("Role and organisation")),
        esc(
            t._(
                "Send your role or occupation on the first line and your organisation on the "
                "second. A single line is the role; a line with just - leaves that one out."
            )
        ),
    )
    if draft.role or draft.organisation:
        text += "\n\n" + _fields(t, None, draft.role, draft.organisation).split("\n", 1)[1]
    return View(
        f"{notice}{text}",
        keyboard(
            [button("⬅️ " + t._("Back to the preview"), "back", draft.campaign)],
            _cancel(t, draft.campaign),
        ),
    )


def privacy_full(
    t: Translator, settings: Settings, slug: str, auto: bool, subscribed: bool
) -> View:
    """The whole notice from inside the flow, with the phone clean-up and a way back."""
    notice = privacy_notice(t, settings)
    return cleanup_views.privacy_view(t, notice, auto, subscribed, back=slug)


def held_line(t: Translator) -> str:
    """Said when a public name is held as a look-alike: the preview promised the list."""
    return t._(
        "Your name looks like one already on the list of signatories, so it will appear "
        "there once an organiser has checked it. Your signature counts already."
    )


ALERT_MAX = 200  # Telegram's limit for a callback answer, in UTF-16 units


def recorded_alert(t: Translator, updated: bool, held: bool, official: Sequence[str]) -> str:
    """The thank-you of someone who chose a chat that keeps no trace: a pop-up, gone once
    read, in place of the thank-you message the clean-up would delete. It says what the
    message would have (updated or recorded, a held name), and names the official bots, primary
    first, so they know where to come back when this bot is blocked; each part whole, the bots
    only where they fit."""
    head = (
        t._("Your signature has been updated.")
        if updated
        else t._("Thank you! Your signature is recorded.")
    )
    text = "✅ " + head
    extra = [held_line(t)] if held else []
    if official:
        bots = ", ".join(f"@{name}" for name in official)
        extra.append(
            t.ngettext(
                "The official bot: {bots}", "The official bots: {bots}", len(official)
            ).format(bots=bots)
        )
    for part in extra:
        if utf16_len(text + "\n\n" + part) <= ALERT_MAX:
            text += "\n\n" + part
    return text


def thanks(
    t: Translator,
    campaign: Campaign,
    progress: Progress,
    updated: bool,
    subscribed: bool,
    held: bool = False,
    official: Sequence[str] = (),
) -> View:
    """The thank-you message; its small print names the official bots (primary first), so the
    signer knows where to come back when one is blocked, and how to tell a look-alike."""
    head = (
        t._("Your signature has been updated.")
        if updated
        else t._("Thank you! Your signature is recorded.")
    )
    if held:
        head += "\n\n" + held_line(t)
    body = "✅ <b>{}</b>\n\n{}\n\n{}".format(
        esc(head),
        progress_lines(t, progress, campaign.is_open),
        esc(t._("Every signature counts for more when the campaign is shared: pass it on.")),
    )
    if official:
        body += f"\n\n<i>{official_line(t, official)}</i>"
    return View(body, after_signing_keyboard(t, campaign.slug, subscribed))


def after_signing_keyboard(t: Translator, slug: str, subscribed: bool) -> InlineKeyboardMarkup:
    key = ("after", slug, subscribed)
    return kept_keyboard(t, key, lambda: _after_signing_rows(t, slug, subscribed))


def _after_signing_rows(t: Translator, slug: str, subscribed: bool) -> Rows:
    notify = (
        button("🔕 " + t._("Stop updates"), "notify", slug, 0)
        if subscribed
        else button("🔔 " + t._("Notify me about this campaign"), "notify", slug, 1)
    )
    return rows(
        [button("📣 " + t._("Share"), "share", slug)],
        [notify],
        *cleanup_views.clean_rows(t, subscribed),
        [button("⬅️ " + t._("Back to the campaign"), "card", slug)],
    )


def shown_where(t: Translator, campaign: Campaign | None, signature: Signature) -> str:
    """Where this signer's name appears now, as bot.domain.signatories decides it (a campaign
    no longer loaded shows nothing any more)."""
    if not signature.public or not signature.name:
        return t._("no, you are only counted")
    if campaign is None:
        return t._("yes")
    if signature.review is Review.HIDDEN:
        return t._("no, the organisers took your name out of the public list; it still counts")
    listing = Listing.of(campaign)
    if signature.lookalike and listing.queued(signature.review, signature.lookalike):
        return t._(
            "yes, once an organiser has checked it (it looks like a name already on the list)"
        )
    if signature.review not in listing.reviews_shown():
        return t._("yes, once an organiser has checked it")
    shown = (Place.BOT, True, signature.review, signature.list_consent, signature.lookalike)
    if listing.shows(*shown):
        return t._("yes, in this bot's list of signatories and the documents for the addressees")
    return t._("yes, in the documents for the addressees")


def on_web(t: Translator, campaign: Campaign, signature: Signature) -> str:
    """Whether this name is on the campaign's public web page (bot.domain.signatories), for a
    campaign that publishes its list there; "" for one that does not."""
    if not campaign.web_signatories:
        return ""
    listing = Listing.of(campaign)
    agreed = signature.web_consent or listing.web_earlier
    if not signature.public or not signature.name or not agreed:
        value = t._("no")
    elif signature.review is Review.HIDDEN:
        value = t._("no, the organisers took your name out of the public list; it still counts")
    elif listing.shows(Place.WEB, True, signature.review, agreed, signature.lookalike):
        value = t._("yes")
    else:
        value = t._("yes, once an organiser has checked it")
    return "\n{}: {}".format(esc(t._("On the public web page")), esc(value))


def already_signed(t: Translator, campaign: Campaign, signature: Signature) -> View:
    text, _ = campaign.text_for(t.language)
    body = "<b>{}</b>\n\n{}\n\n{}\n{}".format(
        esc(text.title),
        esc(t._("Signed: {date}").format(date=t.date(signature.signed_at))),
        _fields(t, signature.name, signature.role, signature.organisation),
        "{}: {}".format(esc(t._("Shown publicly")), esc(shown_where(t, campaign, signature)))
        + on_web(t, campaign, signature),
    )
    return View(
        body,
        keyboard(
            [
                button("✏️ " + t._("Edit"), "edit", campaign.slug),
                button("↩️ " + t._("Withdraw"), "wd", campaign.slug),
            ],
            [button("⬅️ " + t._("Back to the campaign"), "card", campaign.slug)],
        ),
    )


def campaign_title(t: Translator, campaign: Campaign | None, slug: str) -> str:
    """The title in the reader's language; a campaign no longer loaded is named by its slug."""
    return campaign.text_for(t.language)[0].title if campaign is not None else slug


def withdraw_question(t: Translator, campaign: Campaign | None, slug: str) -> View:
    body = esc(
        t._(
            "Withdraw your signature from the open letter “{title}”? It will be erased, not "
            "hidden, and the count goes down by one."
        )
        if campaign is not None and campaign.kind == "letter"
        else t._(
            "Withdraw your signature from the petition “{title}”? It will be erased, not "
            "hidden, and the count goes down by one."
        )
    ).format(title=esc(campaign_title(t, campaign, slug)))
    return View(
        body,
        keyboard(
            [button(t._("Yes, withdraw"), "wdy", slug)],
            [button(t._("No, keep it"), "wdn", slug)],
        ),
    )


def problem_text(t: Translator, problem: Problem, field: str, length: int) -> str:
    """Why the input was refused, stating the rule."""
    limit = NAME_MAX if field == "name" else FIELD_MAX
    messages = {
        Problem.EMPTY: t._("That was empty once invisible characters were removed."),
        Problem.TOO_SHORT: t._("A name needs at least {min} characters.").format(min=NAME_MIN),
        Problem.TOO_LONG: t.ngettext(
            "That is {length} character long; the limit is {max}.",
            "That is {length} characters long; the limit is {max}.",
            length,
        ).format(length=t.number(length), max=limit),
        Problem.NO_LETTER: t._("A name must contain at least one letter."),
        Problem.LINK: t._("Links are not allowed here."),
        Problem.MENTION: t._("@mentions are not allowed here."),
        Problem.STACKED_MARKS: t._(
            "A letter carries too many accents or marks on top of each other; "
            "type each letter with the marks it really has."
        ),
        Problem.MIXED_SCRIPTS: t._(
            "A word mixes letters of different alphabets (for example a Cyrillic letter "
            "in a Latin name); type each word in one alphabet."
        ),
    }
    return "⚠️ " + esc(messages[problem]) + " " + esc(t._("Please try again."))


def own_id(t: Translator, user_id: int) -> View:
    """/myid: the person's Telegram id, and what an organiser does with it."""
    head = esc(t._("Your Telegram id: {id}")).format(id=f"<code>{user_id}</code>")
    tail = esc(
        t._(
            "Organisers: whoever runs the bot puts this number in ADMIN_IDS or MODERATOR_IDS "
            "on the server. The bot does not store it."
        )
    )
    return View(f"{head}\n\n{tail}")
