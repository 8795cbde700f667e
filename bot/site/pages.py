"""The campaign page, the index of campaigns and the pages of the signatory list."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.signatories import Entry
from bot.i18n import Translator
from bot.site.counter import badge_svg, kind_word, progress_html, signed_words
from bot.site.facts import CampaignFacts, Names, SiteFacts
from bot.site.html import Alternate, attr, isolated, page, text

NAMES_PER_PAGE = 500  # a list page stays a few tens of KB


def qr_svg(matrix: tuple[tuple[bool, ...], ...], label: str) -> str:
    """The QR code inline (no image file, no request), one path of unit squares."""
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    squares = "".join(runs)
    return (
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label={attr(label)} shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{squares}" fill="#000"/></svg>'
    )


def published_line(t: Translator, site: SiteFacts) -> str:
    when = t.datetime(int(site.published_at.timestamp()))
    line = t._(
        "Published {time}. This page is a copy made by the campaign's bot and is updated "
        "every few minutes; it sets no cookie and loads nothing from any other site."
    )
    return text(line.format(time=when))


def bots_note(t: Translator, site: SiteFacts) -> str:
    """Which bots are the real ones, and how to tell a look-alike."""
    names = ", ".join(f"<strong>@{text(b)}</strong>" for b in site.bots)
    heading = t.ngettext(
        "The campaign's official bot", "The campaign's official bots", len(site.bots)
    )
    advice = t._(
        "Look-alike bots copy a campaign's name and picture to collect names. Before you "
        "sign, check the username letter by letter: the real bot's username is exactly as "
        "written here. Open it from this page or its QR code, not from a forwarded message."
    )
    return (
        f'<section class="bots" aria-labelledby="bots"><h2 id="bots">{text(heading)}</h2>'
        f"<p>{names}</p><p>{text(advice)}</p></section>"
    )


def campaign_page(
    t: Translator,
    facts: CampaignFacts,
    site: SiteFacts,
    alternates: Sequence[Alternate],
    names_href: str | None,
) -> str:
    campaign, slug = facts.campaign, facts.campaign.slug
    own, _ = campaign.text_for(t.language)
    lang = t.language
    everything = t._("All campaigns")
    parts = [
        f"<p><a href={attr(f'../index.{lang}.html')}>{text(everything)}</a></p>",
        f'<h1 dir="auto">{text(own.title)}</h1>',
        f'<p class="kind">{text(kind_word(t, facts))}</p>',
        f'<p dir="auto">{text(own.summary)}</p>',
    ]
    if own.safety:
        parts.append(f'<p class="safety" dir="auto">{text(own.safety)}</p>')
    progress = t._("Progress")
    parts.append(f"<section aria-label={attr(progress)}>{progress_html(t, facts)}")
    if campaign.is_open:
        link = site.sign_link(slug)
        qr_label = t._("QR code of the link that opens the campaign in Telegram")
        sign = t._("Sign in Telegram")
        parts.append(
            f'<p><a class="sign" href={attr(link)} rel="noopener noreferrer">'
            f"{text(sign)}</a></p>"
            f"{qr_svg(facts.qr, qr_label)}<p><code>{text(link)}</code></p>"
        )
    parts.append("</section>")
    parts.append(bots_note(t, site))
    addressees = campaign.addressees_for(lang)
    if addressees:
        heading = t._("Decision makers")
        parts.append(f"<h2>{text(heading)}</h2><ul>")
        parts += [f'<li dir="auto">{text(a)}</li>' for a in addressees]
        parts.append("</ul>")
    full = t._("Full text")
    parts.append(f"<h2>{text(full)}</h2>")
    parts += [f'<p dir="auto">{text(p)}</p>' for p in own.paragraphs]
    if facts.names is not None and names_href is not None:
        who = t._("Who signed")
        parts.append(f"<h2>{text(who)}</h2>")
        listed = len(facts.names.entries)
        count = t.ngettext("{count} name", "{count} names", listed).format(count=t.number(listed))
        parts.append(f"<p><a href={attr(names_href)}>{text(count)}</a>{unnamed(t, facts.names)}")
    parts.append(embed_section(t, facts, site))
    return page(
        t,
        own.title,
        "\n".join(parts),
        alternates=alternates,
        footer=published_line(t, site),
    )


def unnamed(t: Translator, names: Names) -> str:
    if not names.unnamed:
        return "</p>"
    more = t.ngettext(
        "and {count} more counted without a name here",
        "and {count} more counted without a name here",
        names.unnamed,
    ).format(count=t.number(names.unnamed))
    return f" {text(more)}</p>"


def embed_section(t: Translator, facts: CampaignFacts, site: SiteFacts) -> str:
    """The snippets to copy: the counter in an iframe, and the badge as a plain image."""
    slug, lang = facts.campaign.slug, t.language
    base = site.base_url.rstrip("/")
    prefix = f"{base}/{slug}" if base else slug
    title = facts.campaign.text_for(lang)[0].title
    iframe = (
        f'<iframe src="{prefix}/embed.{lang}.html" title={attr(title)} width="320" '
        'height="220" style="border:0" loading="lazy" referrerpolicy="no-referrer" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>'
    )
    badge = (
        f'<a href="{prefix}/index.{lang}.html"><img src="{prefix}/badge.{lang}.svg" '
        f'alt={attr(signed_words(t, facts.progress.count))} height="22"></a>'
    )
    hint = t._(
        "Copy one of these into your website. They load only from where this page is "
        "published, with no script and no cookie."
    )
    if not base:
        hint += " " + t._("Put the address where this site is published in front of each path.")
    heading, counter, badge_word = (
        t._("Show the count on your website"),
        t._("Counter"),
        t._("Badge"),
    )
    return (
        f'<section class="embed"><h2>{text(heading)}</h2>'
        f"<p>{text(hint)}</p><p>{badge_svg(t, facts)}</p>"
        f'<label>{text(counter)}<textarea readonly rows="4">{text(iframe)}</textarea>'
        f'</label><label>{text(badge_word)}<textarea readonly rows="3">{text(badge)}'
        "</textarea></label></section>"
    )


def index_page(
    t: Translator, site: SiteFacts, alternates: Sequence[Alternate], href: dict[str, str]
) -> str:
    """Every campaign with its count, each linked to its page in this language (or its own
    default language where it has no text in this one)."""
    items = []
    for facts in site.campaigns:
        own, _ = facts.campaign.text_for(t.language)
        items.append(
            f'<li><a href={attr(href[facts.campaign.slug])} dir="auto">{text(own.title)}</a>'
            f" — {text(signed_words(t, facts.progress.count))}</li>"
        )
    title = t._("Campaigns")
    body = f"<h1>{text(title)}</h1>\n<ul>{''.join(items)}</ul>\n" + (
        bots_note(t, site) if site.bots else ""
    )
    return page(t, t._("Campaigns"), body, alternates=alternates, footer=published_line(t, site))


def names_page(
    t: Translator,
    facts: CampaignFacts,
    site: SiteFacts,
    entries: Sequence[Entry],
    number: int,
    pages: int,
    href: str,
) -> str:
    """One page of the web list: names in signing order, each isolated; marked noindex."""
    assert facts.names is not None
    own, _ = facts.campaign.text_for(t.language)
    listed = len(facts.names.entries)
    back, heading = t._("Back to the campaign"), t._("Public signatories, in signing order:")
    parts = [
        f'<p><a href="index.{t.language}.html">{text(back)}</a></p>',
        f'<h1 dir="auto">{text(own.title)}</h1>',
        f"<p>{text(heading)}</p>",
    ]
    if entries:
        first = entries[0].position
        parts.append(f'<ol class="names" start="{first}">')
        parts += [f"<li>{entry_html(e)}</li>" for e in entries]
        parts.append("</ol>")
        shown = t._("Names {first}–{last} of {count}").format(
            first=t.number(first), last=t.number(entries[-1].position), count=t.number(listed)
        )
        parts.append(f"<p>{text(shown)}{unnamed(t, facts.names)}")
    else:
        nobody = t._("No one has signed with a public name yet.")
        parts.append(f"<p>{text(nobody)}")
        parts.append(unnamed(t, facts.names))
    nav = []
    if number > 1:
        nav.append(f'<a href={attr(href.format(number - 1))} rel="prev">‹ {number - 1}</a>')
    if number < pages:
        nav.append(f'<a href={attr(href.format(number + 1))} rel="next">{number + 1} ›</a>')
    if nav:
        label = t._("Page {page} / {pages}").format(page=number, pages=pages)
        parts.append(f"<nav aria-label={attr(label)}><p>{' · '.join(nav)}</p></nav>")
    return page(t, own.title, "\n".join(parts), noindex=True, footer=published_line(t, site))


def entry_html(entry: Entry) -> str:
    """Name — role, organisation: each part isolated, so a right-to-left name cannot pull
    the dash or the next part to its side."""
    extra = ", ".join(isolated(p) for p in (entry.role, entry.organisation) if p)
    return isolated(entry.name) + (f" — {extra}" if extra else "")
