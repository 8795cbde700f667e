"""Sharing: QR codes, inline mode, groups and source attribution."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import zxingcpp
from PIL import Image

from bot.core import choices
from bot.core.services import Services
from bot.storage import sources as source_store
from bot.storage.shards import SHARDS
from tests.support.faketg import BOT_USERNAME, FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN, sign


def payload_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["start"][0]


async def brought(svc: Services) -> list[tuple[str, str, int]]:
    """(kind, label, signatures brought) of each source that brought any: the aggregate, the
    only place a source is counted."""
    rows = await svc.db.fetchall(
        "SELECT s.kind, s.label, v.signed FROM source_visits v JOIN sources s ON s.code = v.source"
        " WHERE v.signed > 0"
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


async def grow(svc: Services, code: str, by: int = 20) -> None:
    """Adds `by` to every funnel count of source `code` today: a source big enough to show."""
    await svc.db.execute(
        "INSERT INTO funnel (campaign, source, day, opened, started, named, signed, cancelled,"
        " expired) VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?4, ?4, ?4) ON CONFLICT DO UPDATE SET"
        " opened = opened + ?4, started = started + ?4, named = named + ?4,"
        " signed = signed + ?4, cancelled = cancelled + ?4, expired = expired + ?4",
        (CAMPAIGN, code, int(svc.now()) // 86400, by),
    )


async def test_share_sends_qr_that_decodes_to_the_exact_link(
    make_user: Callable[..., FakeUser],
) -> None:
    u = make_user()
    await u.start(CAMPAIGN)
    await u.press("Share")
    share = u.last
    link = f"https://t.me/{BOT_USERNAME}?start={CAMPAIGN}"
    assert share.caption is not None and link in share.caption
    assert share.caption.startswith("Doctors and family visits")
    assert share.photo is not None
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(share.photo)))
    assert barcode.text == link
    urls = share.button_urls
    share_url = next(v for k, v in urls.items() if "Send the link" in k)
    assert share_url.startswith("https://t.me/share/url?")
    assert parse_qs(urlsplit(share_url).query)["url"] == [link]
    inline_button = share.raw["reply_markup"]["inline_keyboard"][0][0]
    assert inline_button["switch_inline_query"] == CAMPAIGN


async def test_inline_mode_lists_filters_and_localises(make_user: Callable[..., FakeUser]) -> None:
    u = make_user(language_code="ru")
    results = await u.inline_query("")
    assert len(results) == 2
    assert all(r["reply_markup"]["inline_keyboard"][0][0].get("url") for r in results)
    assert not any(
        "callback_data" in b
        for r in results
        for row in r["reply_markup"]["inline_keyboard"]
        for b in row
    )
    filtered = await u.inline_query("Открытое  ПИСЬМО")  # words, any case, in the title
    assert [r["id"] for r in filtered] == ["open-doors-letter"]
    both = await u.inline_query("политзаключённых")
    assert [r["id"] for r in both] == ["medical-access"]
    none = await u.inline_query("zzzz-nothing-matches")
    assert none == []
    card = results[0]["input_message_content"]["message_text"]
    assert "подпис" in card  # Russian count line


async def test_forwarded_inline_card_link_works_in_private(
    make_user: Callable[..., FakeUser], svc: Services
) -> None:
    poster = make_user()
    [result] = [r for r in await poster.inline_query("") if r["id"] == CAMPAIGN]
    url = result["reply_markup"]["inline_keyboard"][0][0]["url"]
    payload = payload_of(url)
    assert len(payload) <= 64
    reader = make_user(first_name="Reader")
    await sign(reader, "Reader Person", payload=payload)
    assert [kind for kind, _, _ in await brought(svc)] == ["inline"]


async def test_group_welcome_card_and_attributed_signatures(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    admin_of_group = make_user(first_name="Host")
    group = tg.group(title="Diaspora Warsaw")
    await tg.add_bot_to_group(group, by=admin_of_group)
    [welcome] = group.messages
    assert "nothing personal is ever posted here" in welcome.text
    urls = list(welcome.button_urls.values())
    assert len(urls) == 2 and all(u.startswith(f"https://t.me/{BOT_USERNAME}?start=") for u in urls)
    assert not welcome.callback_data
    link = next(u for u in urls if CAMPAIGN in u)
    member = make_user(first_name="Member")
    await sign(member, "Reader Person", payload=payload_of(link))
    assert await brought(svc) == [("group", "Diaspora Warsaw", 1)]


async def test_a_group_title_is_cleaned_like_a_name_in_the_database_and_the_csv(
    tg: FakeTelegram, make_user: Callable[..., FakeUser], admin: FakeUser, svc: Services
) -> None:
    """A title is anyone's text: right-to-left overrides and isolates could reorder what a
    spreadsheet shows, so they never reach the database or an export."""
    invisible = ("\u202e", "\u2066", "\u2069", "\u200b")
    group = tg.group(title="Diaspora \u202eWarsaw\u2066 \u200bnews\u2069 " + "x" * 100)
    await tg.add_bot_to_group(group, by=make_user(first_name="Host"))
    link = next(u for u in group.messages[0].button_urls.values() if CAMPAIGN in u)
    await sign(make_user(), "Reader Person", payload=payload_of(link))
    label = await svc.db.scalar("SELECT label FROM sources WHERE chat_id = ?", (group.id,))
    assert label == ("Diaspora Warsaw news " + "x" * 100)[:64]
    code = await svc.db.scalar("SELECT code FROM sources WHERE chat_id = ?", (group.id,))
    await grow(svc, code)
    await grow(svc, "")  # "other" (the visitors without a link) big enough on its own
    await admin.send(f"/export {CAMPAIGN} funnel")
    assert admin.last.document is not None
    data = admin.last.document[0].decode("utf-8-sig")
    assert "Diaspora Warsaw news xxx" in data
    assert not any(ch in data for ch in invisible)


async def test_group_commands_compact_card_no_flow_no_chatter(
    tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    u = make_user(first_name="Secret", last_name="Signer")
    await sign(u)
    group = tg.group()
    await tg.add_bot_to_group(group, by=u)
    before = len(group.messages)
    await u.command("petition", CAMPAIGN, chat=group)
    card = group.last
    assert "1 signature" in card.text and "Read and sign" in str(card.buttons)
    assert "Secret" not in card.text
    await u.send("hello everyone, how are you?", chat=group, expect_reply=False)
    await u.send("Sign", chat=group, expect_reply=False)
    assert len(group.messages) == before + 1  # no replies to chatter
    await u.command("progress", chat=group)
    await u.command("share", chat=group)
    assert all("Secret" not in m.text for m in group.messages)
    assert all(not m.callback_data for m in group.messages)


async def test_flood_of_group_commands_stays_under_the_group_limit(
    tg: FakeTelegram, make_user: Callable[..., FakeUser]
) -> None:
    users = [make_user(first_name=f"U{i}") for i in range(10)]
    group = tg.group()
    await tg.add_bot_to_group(group, by=users[0])
    for i in range(60):
        await users[i % 10].send("/petition", chat=group, expect_reply=False)
    sent = tg.calls_to("sendMessage", chat_id=group.id)
    assert 1 <= len(sent) <= 20
    assert all(c.ok for c in sent)  # the fake's 20/minute limit was never hit


async def test_admin_named_source_link_and_stats(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await admin.start(CAMPAIGN)
    await admin.send("/source new Vilnius leaflets")
    share = admin.last
    assert share.photo is not None
    link = next(v for k, v in share.button_urls.items() if "Send the link" in k)
    payload = payload_of(parse_qs(urlsplit(link).query)["url"][0])
    assert payload.startswith(f"{CAMPAIGN}_s")
    await sign(make_user(), "Reader Person", payload=payload)
    [listing] = await admin.send("/source")
    shown = listing.text.replace("\u2068", "").replace("\u2069", "")
    # One visit and one signature: listed among the sources in "other", never with its count.
    assert (
        "Other (sources under 10 and visitors without a link): <10 visits · <10 signatures" in shown
    )
    assert "· Vilnius leaflets (named link, s" in shown and "1 visit" not in shown


async def test_source_new_names_its_campaign_when_several_are_open(
    admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    await admin.send("/source new Leaflets")  # two open campaigns, none opened by the admin
    assert "Which campaign is the link for?" in admin.last.text
    assert "open-doors-letter" in admin.last.text
    assert [row[1] for row in await source_store.with_counts(svc.db)] == ["direct"]
    await admin.send("/source new open-doors-letter Kraków leaflets")
    link = next(v for k, v in admin.last.button_urls.items() if "Send the link" in k)
    payload = payload_of(parse_qs(urlsplit(link).query)["url"][0])
    assert payload.startswith("open-doors-letter_s")
    await svc.db.execute(
        "INSERT INTO source_visits (campaign, source, visits, signed) VALUES (?, ?, 1234, 20)",
        ("open-doors-letter", payload.split("_")[1]),
    )
    await choices.set_language(svc, admin.id, "ru")
    [listing] = await admin.send("/source")
    ru = svc.i18n.get("ru")
    assert ru._("named link") != "named link"  # translated, as every kind is
    shown = listing.text.replace("\u2068", "").replace("\u2069", "")
    assert f"Kraków leaflets ({ru._('named link')}, " in shown
    assert ru.number(1234) in listing.text and "1234" not in listing.text


async def test_source_command_is_unknown_for_non_admins(make_user: Callable[..., FakeUser]) -> None:
    u = make_user()
    [reply] = await u.send("/source new Mine")
    assert "I don't know that command" in reply.text


async def test_stats_see_the_group_source(
    tg: FakeTelegram, admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    group = tg.group(title="Kraków diaspora")
    await tg.add_bot_to_group(group, by=make_user())
    link = next(u for u in group.last.button_urls.values() if CAMPAIGN in u)
    await sign(make_user(), "Reader Person", payload=payload_of(link))
    await admin.send(f"/stats {CAMPAIGN}")
    caption = next(m for m in reversed(admin.messages) if m.photo).caption or ""
    assert "Kraków diaspora" not in caption  # one signature: inside "other"
    code = link.split("_")[-1]
    more = (
        "INSERT INTO source_visits (campaign, source, shard, visits, signed) VALUES (?, ?, ?, ?, ?)"
    )
    await svc.db.execute(more, (CAMPAIGN, code, SHARDS, 30, 11))  # a row of its own: summed
    await sign(make_user(), "Direct Person")  # "other" holds the visitors without a link
    await svc.db.execute("DELETE FROM source_visits WHERE source = ''")
    await svc.db.execute(more, (CAMPAIGN, "", 0, 10, 10))
    await admin.send(f"/stats {CAMPAIGN}")
    caption = next(m for m in reversed(admin.messages) if m.photo).caption or ""
    assert "\u2068Kraków diaspora\u2069: 12 / 31" in caption


async def test_the_funnel_shows_the_group_label_neutralised_and_the_csv_no_source(
    tg: FakeTelegram, admin: FakeUser, make_user: Callable[..., FakeUser], svc: Services
) -> None:
    import csv

    group = tg.group(title="=cmd|' /C calc'!A0")
    await tg.add_bot_to_group(group, by=make_user())
    link = next(u for u in group.last.button_urls.values() if CAMPAIGN in u)
    await sign(make_user(), "Reader Person", payload=payload_of(link))
    await sign(make_user(), name="No Source")
    await admin.send(f"/export {CAMPAIGN} csv")
    document = admin.last.document
    assert document is not None
    rows = list(csv.reader(io.StringIO(document[0].decode("utf-8-sig"))))
    assert "source" not in rows[0] and len(rows) == 3  # no signature says where it came from
    assert not any("cmd" in cell for row in rows for cell in row)
    await grow(svc, link.split("_")[-1])
    await grow(svc, "")  # "other" (the visitors without a link) big enough on its own
    await admin.send(f"/export {CAMPAIGN} funnel")
    document = admin.last.document
    assert document is not None
    funnel = list(csv.DictReader(io.StringIO(document[0].decode("utf-8-sig"))))
    assert [(r["row"], r["source"]) for r in funnel] == [
        ("source", "'=cmd|' /C calc'!A0"),
        ("other", ""),
    ]
