"""Texts of the admin commands (HTML), kept apart from the handlers' plumbing."""

from __future__ import annotations

from bot.core.stats import Report
from bot.domain.aggregates import Shown
from bot.domain.campaigns import Campaign
from bot.domain.goals import GoalLadder, LadderError, Progress
from bot.domain.organisers import Level
from bot.domain.paging import utf16_len
from bot.domain.stats import rounded_percent
from bot.exports import PUBLIC_NAMES_ONLY
from bot.exports.packaging import Package
from bot.i18n import Translator
from bot.telegram.permissions import ORGANISER_COMMANDS
from bot.telegram.views.common import bold, esc, figure, plain_text, shorten, user_text

CAPTION_LIMIT = 1024


def visible_length(html: str) -> int:
    """Length as Telegram counts it (UTF-16 code units of the text after parsing)."""
    return utf16_len(plain_text(html))


def which_campaign(
    t: Translator, campaigns: list[Campaign], usage: str, question: str | None = None
) -> str:
    """An organiser command that needs a campaign named: the question, the slugs, the usage."""
    slugs = ", ".join(_code(c.slug) for c in campaigns)
    head = esc(question or t._("Which campaign? Put its name after the command."))
    tail = esc(t._("Campaigns: {slugs}")).format(slugs=slugs)
    return f"{head}\n{tail}\n\n{esc(usage)}"


def refusal(t: Translator, command: str, head: str = "") -> str:
    """A moderator asked for an admin's command (or an admin's part of one, with `head`): no,
    and what a moderator can use, a partly allowed command with its usage."""
    allowed = ", ".join(
        t._(c.moderator_usage) if c.moderator_usage else f"/{c.name}"
        for c in ORGANISER_COMMANDS
        if c.level is Level.MODERATOR
    )
    head = head or t._("Only admins can use /{command}.").format(command=command)
    tail = t._("As a moderator you can use: {commands}").format(commands=allowed)
    return f"{esc(head)}\n{esc(tail)}"


def stale_button(t: Translator, number: int) -> str:
    """A remove or block button pressed after its signature went (withdrawn or removed)."""
    return esc(
        t._(
            "This button was made for a signature that is no longer there: #{number} was "
            "withdrawn or removed since. Nothing was changed."
        )
    ).format(number=number)


def _code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def package_note(t: Translator, package: Package) -> str:
    """How to get the original file back: join the parts, decrypt, unzip; "" if nothing to do."""
    lines = []
    count = len(package.files)
    if count > 1:
        join = t.ngettext(
            "This file comes in {count} part: join it with {command}",
            "This file comes in {count} parts: join them with {command}",
            count,
        )
        command = _code(f"cat {package.name}.* > {package.name}")
        lines.append(esc(join).format(count=t.number(count), command=command))
    plain = package.name
    if package.encrypted:
        plain = package.name.removesuffix(".age")
        decrypt = t._(
            "🔒 Encrypted to the organisers' age keys (BACKUP_RECIPIENTS). "
            "Decrypt it with your private key: {command}"
        )
        command = _code(f"age -d -i key.txt -o {plain} {package.name}")
        lines.append(esc(decrypt).format(command=command))
    if package.zipped and lines:  # a lone zip needs no telling
        lines.append(esc(t._("Then unzip {name}.")).format(name=_code(plain)))
    return "\n".join(lines)


def export_usage(t: Translator) -> str:
    usage = t._("Usage: /export [campaign] [csv|json|list|pdf] [language] [{option}]")
    option = t._(
        "{option}: CSV and JSON hold only the signatures whose names the documents show, as "
        "the list and the PDF always do (no anonymous, hidden or unreviewed ones)."
    )
    return "\n".join(text.format(option=PUBLIC_NAMES_ONLY) for text in (usage, option))


CAPTION_ROOM = 1000  # a document's caption holds 1024 characters


def export_caption(
    t: Translator,
    campaign: Campaign,
    rows: int,
    fmt: str,
    public_names_only: bool,
    started: int,
    versions: str = "",
) -> str:
    caption = esc(t._("{title}: {count} records ({format})")).format(
        title=user_text(title_of(campaign, t)), count=t.number(rows), format=esc(fmt.upper())
    )
    # Exports read in short batches so that erasures are never held up; say what that means.
    caption += "\n" + esc(
        t._(
            "The signatures as they stood when the export started ({time}); signatures "
            "withdrawn while it was being written are left out."
        )
    ).format(time=esc(t.datetime(started)))
    if public_names_only:
        caption += "\n" + esc(
            t._(
                "Only the signatures whose names the documents show (no anonymous, hidden or "
                "unreviewed ones)."
            )
        )
    if versions and len(caption) + len(versions) < CAPTION_ROOM:  # else only in the file
        caption += "\n" + esc(versions)
    return caption


def backup_caption(t: Translator, encrypted: bool) -> str:
    if encrypted:
        return esc(
            t._(
                "Database backup. It holds personal data, encrypted. The signer key is not in "
                "it; keep that safe too."
            )
        )
    return esc(
        t._(
            "Database backup. It holds personal data: store it encrypted and delete it "
            "from this chat once saved. The signer key is not in it; keep that safe too."
        )
    )


def title_of(campaign: Campaign, t: Translator) -> str:
    text, _ = campaign.text_for(t.language)
    return text.title


def _funnel_line(t: Translator, counts: tuple[Shown, ...]) -> str:
    opened, started, named, signed, cancelled, expired = counts
    steps = [
        t._("{count} opened").format(count=figure(t, opened)),
        t._("{count} started").format(count=figure(t, started)),
        t._("{count} named").format(count=figure(t, named)),
        t._("{count} signed").format(count=figure(t, signed)),
    ]
    exact = isinstance(opened, int) and isinstance(signed, int) and opened
    rate = f"{rounded_percent(signed, opened)}%" if exact else "—"  # type: ignore[arg-type]
    extra = t._("cancelled {cancelled} · expired {expired}").format(
        cancelled=figure(t, cancelled), expired=figure(t, expired)
    )
    return esc(" → ".join(steps) + f" — {rate}") + f"\n<i>{esc(extra)}</i>"


def _other(t: Translator, small: int) -> str:
    return esc(t._("Other (sources under {count} and visitors without a link)")).format(
        count=t.number(small)
    )


def funnel_text(t: Translator, report: Report, small: int) -> str:
    """Where supporters drop off: opened → started → named → signed, overall and per source
    (sources under the threshold only in "other")."""
    lines = ["<b>{}</b>".format(esc(t._("Funnel"))), _funnel_line(t, report.funnel)]
    table = report.funnel_sources
    for code, counts in table.rows[:15]:
        label = user_text(shorten(report.labels.get(code, code), 40))
        lines.append(f"\n{label}\n{_funnel_line(t, counts)}")
    if table.other is not None:
        lines.append(f"\n{_other(t, small)}\n{_funnel_line(t, table.other)}")
    return "\n".join(lines)


def stats_caption(t: Translator, campaign: Campaign, report: Report, small: int) -> str:
    """Totals, per language and per source, through the rule; cut to fit a photo caption."""
    lines = [
        f"<b>{user_text(shorten(title_of(campaign, t), 80))}</b>",
        esc(t._("Signatures: {count}")).format(count=t.number(report.total)),
        # New signatures and erased ones apart, so that the lines add up after a removal.
        esc(
            t._("Today: +{today} −{today_erased} · last 7 days: +{week} −{week_erased}").format(
                today=figure(t, report.today),
                today_erased=figure(t, report.today_erased),
                week=figure(t, report.week),
                week_erased=figure(t, report.week_erased),
            )
        ),
        esc(
            t._("Withdrawn by signers: {withdrawn} · removed by organisers: {removed}").format(
                withdrawn=figure(t, report.withdrawals), removed=figure(t, report.removals)
            )
        ),
    ]
    languages = [
        f"{esc(t.language_name(code))} {t.number(count)}"
        for code, (count,) in report.languages.rows
    ]
    if report.languages.other is not None and report.total:
        (other,) = report.languages.other
        languages.append(esc(t._("other {count}").format(count=figure(t, other))))
    if report.total:
        lines += ["", bold(t._("By language")), ", ".join(languages)]
    sources = [
        f"{user_text(shorten(report.labels.get(code, code), 40))}: {t.number(signed)} / {t.number(visits)}"
        for code, (signed, visits) in report.sources.rows
    ]
    if report.sources.other is not None:
        signed_other, visits_other = report.sources.other
        sources.append(
            f"{_other(t, small)}: {esc(figure(t, signed_other))} / {esc(figure(t, visits_other))}"
        )
    lines += ["", bold(t._("By source (signatures / visits)"))]
    more = esc(t._("… and more"))
    for index, line in enumerate(sources):
        rest = len(sources) - index - 1
        budget = CAPTION_LIMIT - visible_length(more) - 2 if rest else CAPTION_LIMIT
        if visible_length("\n".join([*lines, line])) > budget:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def ladder_text(ladder: GoalLadder, t: Translator) -> str:
    return " · ".join(t.number(step) for step in ladder.steps)


def goal_view(t: Translator, campaign: Campaign, progress: Progress) -> str:
    """The goal in force and where it comes from, as bot.domain.goals decided it."""
    n = t.number
    origin = t._("set by an admin") if progress.admin_ladder else t._("from the campaign file")
    lines = [
        f"<b>{user_text(shorten(title_of(campaign, t), 80))}</b>",
        esc(t._("Signatures: {count}")).format(count=n(progress.count)),
        esc(t._("Next goal: {goal}")).format(goal=n(progress.goal)),
    ]
    meaning = progress.meaning.in_language(t.language)
    if meaning:
        lines.append(f"🎯 <i>{esc(meaning)}</i>")
    lines.append(
        esc(t._("Goal ladder ({origin}): {ladder}")).format(
            origin=esc(origin), ladder=ladder_text(progress.ladder, t)
        )
    )
    override = progress.ladder.override
    if override:
        lines.append(esc(t._("Next goal set by an admin: {goal}")).format(goal=n(override)))
    lines += ["", esc(goal_usage(t))]
    return "\n".join(lines)


def goal_usage(t: Translator) -> str:
    return t._(
        "/goal [campaign] next <number> sets the next goal (next off clears it); "
        "/goal [campaign] ladder 100,500,1000 sets the ladder (ladder default restores it)."
    )


def parse_ladder(text: str) -> GoalLadder | None:
    """An admin's /goal ladder, by the same rule as campaign.toml's goals; None if it breaks it."""
    try:
        return GoalLadder.parse(text)
    except LadderError:
        return None
