"""What an admin sees while creating or changing a campaign from Telegram."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.core.authoring import DOCUMENT_MAX, Problem, Refused
from bot.core.campaign_edits import WIDENS, TextShown
from bot.core.content import GOAL_SENTENCE_MAX, SAFETY_MAX, SUMMARY_MAX, TEXT_MAX, TITLE_MAX
from bot.domain.authoring import SWITCHES, Action, Draft, Step
from bot.domain.campaigns import Campaign
from bot.i18n import NATIVE_NAMES, Translator
from bot.telegram.views.common import View, bold, button, esc, keyboard


def _b(draft: Draft, label: str, action: Action, value: str = "") -> InlineKeyboardButton:
    return button(label, "nc", draft.id, draft.revision, action.value, value)


def _abandon(t: Translator, draft: Draft) -> list[InlineKeyboardButton]:
    return [_b(draft, "✖️ " + t._("Abandon"), Action.ABANDON)]


def _kind(t: Translator, kind: str) -> str:
    return t._("Petition") if kind == "petition" else t._("Open letter")


def step_view(t: Translator, draft: Draft, notice: str = "") -> View:
    """The question of the draft's step, with its buttons."""
    step, rows = draft.step, list[list[InlineKeyboardButton]]()
    if step is Step.KIND:
        text = t._("A new campaign. What is it?")
        rows.append([_b(draft, _kind(t, k), Action.PICK, k) for k in ("petition", "letter")])
    elif step is Step.LANGUAGE:
        text = t._("Its default language: readers whose language has no text are shown this one.")
        rows += [[_b(draft, name, Action.PICK, code)] for code, name in NATIVE_NAMES.items()]
    elif step is Step.GOALS:
        text = t._(
            "Its goals: whole numbers in increasing order, such as 500 1000 5000; or - for the "
            "default ladder."
        )
    elif step is Step.ADDRESSEES:
        text = t._("Its addressees, one per line; or - for none.")
    elif step is Step.TEXTS:
        text = texts_question(t, draft)
        rows.append([_b(draft, "➡️ " + t._("Continue"), Action.NEXT)])
    elif step is Step.SAFETY:
        text = t._(
            "A safety note shown on the card and before the name is asked (at most {count} "
            "characters), for example about travelling to the country petitioned against; or "
            "skip it."
        ).format(count=SAFETY_MAX)
        rows.append([_b(draft, "➡️ " + t._("Skip"), Action.NEXT)])
    elif step is Step.SLUG:
        text = t._(
            "Its name in links (t.me/…?start=name): {slug}. Use it, or type another one: 1-32 "
            "characters of a-z, 0-9 and -."
        ).format(slug=draft.slug)
        rows.append([_b(draft, "✅ " + draft.slug, Action.PICK, "slug")])
    elif step is Step.SWITCHES:
        text = t._("Who sees the names: tap a setting to change it, then Continue.")
        rows += [
            [_b(draft, _switch(t, name, draft.switches[name]), Action.TOGGLE, name)]
            for name, _ in SWITCHES
        ]
        rows.append([_b(draft, "➡️ " + t._("Continue"), Action.NEXT)])
    elif step is Step.PREVIEW:
        text = t._(
            "Above is the campaign as supporters will see it, in each of its languages. It goes "
            "live only when you press Publish."
        )
        rows.append([_b(draft, "🚀 " + t._("Publish"), Action.PUBLISH)])
    else:
        text = t._("Waiting for another admin to publish it.")
    rows.append(_abandon(t, draft))
    return View(notice + esc(text), keyboard(*rows))


def texts_question(t: Translator, draft: Draft) -> str:
    language = t.language_name(draft.language)
    lines = [
        t._(
            "Send the text in {language}: a .md or .txt document in the campaign file format, "
            "or plain text (the title on the first line, the summary as the next paragraph, "
            "then the full text). Then any other language, as a document named like uk.md."
        ).format(language=language)
    ]
    if draft.texts:
        names = ", ".join(NATIVE_NAMES[code] for code in sorted(draft.texts))
        lines.append(t._("Texts received: {languages}.").format(languages=names))
    return "\n\n".join(lines)


def _switch(t: Translator, name: str, on: bool) -> str:
    label = {
        "signatories": t._("Public list of signatories"),
        "review_public_names": t._("Public names reviewed first"),
        "nameless": t._("Counting without a name"),
    }[name]
    return f"{'✅' if on else '⬜'} {label}"


def preview_heading(t: Translator, language: str) -> View:
    return View("👁 " + bold(t._("Preview: {language}").format(language=NATIVE_NAMES[language])))


def waiting_for_you(t: Translator, draft: Draft, campaign: Campaign) -> View:
    """To the other admins, with four eyes: a campaign waits for their Publish."""
    title = campaign.text_for(t.language)[0].title
    text = t._(
        "Another admin asks to publish the campaign “{title}” ({slug}). Read it with its "
        "link once it is live; publish it only if you checked it with them."
    ).format(title=title, slug=campaign.slug)
    return View(esc(text), keyboard([_b(draft, "🚀 " + t._("Publish"), Action.PUBLISH)]))


def published(t: Translator, campaign: Campaign, link: str) -> View:
    return View(esc(t._("The campaign is live: {link}").format(link=link)))


def abandoned(t: Translator) -> View:
    return View(esc(t._("The new campaign was abandoned; nothing was published.")))


def refusal(t: Translator, refused: Refused) -> str:
    """Why what the admin sent was refused, and what to fix; HTML, with a blank line after."""
    p, detail = refused.problem, refused.detail
    texts = {
        Problem.STALE: t._("That button belongs to a step already passed; nothing changed."),
        Problem.TOO_LARGE: t._(
            "The document is larger than {size} kB: send the text alone."
        ).format(size=DOCUMENT_MAX // 1024),
        Problem.WRONG_TYPE: t._("Send the text as a .md or .txt document."),
        Problem.NOT_UTF8: t._(
            "The document is not UTF-8 text: save it as UTF-8 and send it again."
        ),
        Problem.UNKNOWN_LANGUAGE: t._(
            "“{name}” is not one of the bot's languages: name the document en.md, be.md, ru.md, "
            "uk.md or pl.md."
        ).format(name=detail),
        Problem.NOT_PLAIN: t._(
            "Plain text needs the title on the first line, the summary as the next paragraph, "
            "then the full text."
        ),
        Problem.MARKUP: t._(
            "The bot shows text as it is, so this line would show its markup characters: "
            "“{line}”. Remove the markup (#, **, links, tags) and send it again."
        ).format(line=detail),
        Problem.GOALS: t._(
            "Goals must be whole numbers in increasing order, such as 500 1000 5000."
        ),
        Problem.ADDRESSEES: t._("At most 50 addressees, each at most 200 characters."),
        Problem.BAD_SLUG: t._(
            "“{slug}” cannot be a link name: use 1-32 characters of a-z, 0-9 and -."
        ).format(slug=detail),
        Problem.TAKEN_SLUG: t._("“{slug}” is taken by another campaign.").format(slug=detail),
        Problem.NO_TEXT: t._("First send the text in the default language."),
        Problem.SAFETY: t._("The safety note must be at most {count} characters.").format(
            count=SAFETY_MAX
        ),
        Problem.OWN: t._("Another admin must publish it: nobody approves their own request."),
        Problem.NO_CAMPAIGN: t._(
            "Write the campaign's link name (such as {slug}) as the document's caption."
        ).format(slug=detail or "medical-access"),
        Problem.FOLDER_OWNED: t._(
            "This campaign is edited in its folder on the server ({folder}), not from "
            "Telegram: change the files there and send /reload."
        ).format(folder=detail),
        Problem.UNKNOWN_SWITCH: t._("“{name}” is not a setting: use {names}.").format(
            name=detail, names=", ".join(WIDENS)
        ),
        Problem.GOAL_SENTENCE: t._(
            "The {language} text has a sentence for the goal {goal}: send that text again "
            "without it first, or keep the goal."
        ).format(language=t.language_name(refused.field), goal=detail),
        Problem.TEXT_ADDRESSEES: t._(
            "The texts in {languages} list the addressees in their own language, as many as "
            "now: send each again without its addressees line, change the addressees, then "
            "send the texts with the new ones."
        ).format(languages=_languages(t, refused.field)),
        Problem.UNKNOWN_KIND: t._("“{kind}” is not a kind: use petition or letter.").format(
            kind=detail
        ),
        Problem.NOT_A_LANGUAGE: t._(
            "“{name}” is not one of the bot's languages: use en, be, ru, uk or pl."
        ).format(name=detail),
        Problem.NO_LANGUAGE: t._(
            "This campaign has no text in {language}: first send it as a document named "
            "{code}.md, with the campaign's link name as its caption."
        ).format(language=t.language_name(detail), code=detail),
        Problem.DEFAULT_LANGUAGE: t._(
            "The text in the default language cannot be removed: first make another language "
            "the default (/campaign default <campaign> <language>)."
        ),
        Problem.CONTENT: content_problem(t, refused.field, detail),
    }
    return "⚠️ " + esc(texts[p]) + "\n\n"


def _languages(t: Translator, codes: str) -> str:
    return ", ".join(t.language_name(code) for code in codes.split(", "))


def content_problem(t: Translator, field: str, detail: str) -> str:
    """The loader's problem with a text, in the admin's language where it is a known one."""
    if field in ("(header)", "(syntax)"):
        return t._(
            "The header between the two +++ lines cannot be read: check its quotes and "
            "brackets ({detail})."
        ).format(detail=detail)
    if field == "title":
        return t._("The title must be 1-{count} characters.").format(count=TITLE_MAX)
    if field == "summary":
        return t._("The summary must be 1-{count} characters.").format(count=SUMMARY_MAX)
    if field == "safety":
        return t._("The safety note must be at most {count} characters.").format(count=SAFETY_MAX)
    if field.startswith("goals"):
        return t._(
            "The [goals] table must name the campaign's goals, each with a sentence of at most "
            "{count} characters."
        ).format(count=GOAL_SENTENCE_MAX)
    if field == "addressees":
        return t._("The header's addressees must be as many as the campaign's, in its order.")
    if field == "(text)" and "longer than" in detail:
        return t._("The text is longer than {count} characters.").format(count=TEXT_MAX)
    if field == "(text)":
        return t._(
            "The full text after the header is empty, or has more than one '+++ supporters' line."
        )
    return t._("The text was not taken: {field}: {detail}").format(field=field, detail=detail)


def text_shown(t: Translator, shown: TextShown, for_admin: bool) -> View:
    """A language text waiting: the change, with Apply and Refuse (or Discard)."""
    title = shown.campaign.text_for(t.language)[0].title
    language = t.language_name(shown.language)
    if shown.new_language:
        head = t._("A new language for “{title}”: {language}.")
    else:
        head = t._("A changed text for “{title}” in {language}. What changes:")
    lines = [esc(head.format(title=title, language=language))]
    if shown.by_translator:
        lines.append(esc(t._("Sent by a translator.")))
    if shown.diff:
        lines.append(f"<pre>{esc(shown.diff)}</pre>")
    if not for_admin:
        return View("\n\n".join([*lines, esc(t._("Sent to the admins for their approval."))]))
    refuse = t._("Refuse") if shown.by_translator else t._("Discard")
    return View(
        "\n\n".join(lines),
        keyboard(
            [
                button("✅ " + t._("Apply"), "tx", shown.id, shown.revision, "y"),
                button("✖️ " + refuse, "tx", shown.id, shown.revision, "n"),
            ]
        ),
    )


def text_decided(t: Translator, title: str, language: str, applied: bool, slug: str = "") -> View:
    """`slug`: offer the broadcast that tells the campaign's subscribers (to the admin)."""
    if applied:
        line = t._("The {language} text of “{title}” is now in use.")
    else:
        line = t._("The {language} text of “{title}” was refused; nothing changed.")
    markup = None
    if applied and slug:
        markup = keyboard([button("📣 " + t._("Tell the subscribers"), "txb", slug)])
    return View(esc(line.format(language=t.language_name(language), title=title)), markup)


def text_changed_notice(t: Translator, campaign: Campaign, day: int) -> str:
    """The prepared broadcast, in each language: HTML, without a link (a link would need a
    second admin); the card shows the new text and the earlier one."""
    return esc(
        t._(
            "The text of this campaign changed on {date}. Your signature stays; its card, "
            "opened with /start, shows the new text and the earlier one."
        ).format(date=t.date(day))
    )
