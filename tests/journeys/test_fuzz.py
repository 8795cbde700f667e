"""Hostile input everywhere a user can type or tap: no crash, no invalid call, no broken HTML.

The fake validates every outgoing call against the Bot API spec and its limits (text length,
callback data size, parseable HTML), so a name like `</b><a href=x>` or a 5,000-character
formula that leaked into a message unescaped would show up as a recorded violation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.faketg import FakeTelegram, FakeUser
from tests.support.steps import CAMPAIGN

NASTY = st.sampled_from(
    [
        "<b>bold</b>",
        "</i><a href='javascript:alert(1)'>x</a>",
        "&amp; &lt; & < >",
        '=HYPERLINK("http://evil")',
        "+1-2",
        "@admin",
        "\u202eevil\u202c",
        "\u2066\u2067\u2068\u2069\u200f",
        "\x00\x01\x1b[31m",
        "𝕳𝖊𝖑𝖑𝖔 👨‍👩‍👧‍👦",
        "x" * 5000,
        "Ж" * 4097,
        "",
        " ",
        "\n\n\n",
        "/start",
        "1|ok|medical-access",
    ]
)
TEXT = st.one_of(
    NASTY, st.text(max_size=300), st.text(min_size=1, max_size=20).map(lambda s: s * 200)
)
CALLBACK = st.one_of(
    st.text(max_size=64),
    st.text(min_size=60, max_size=200),
    st.builds(lambda a, b: f"1|{a}|{b}", st.text(max_size=10), st.text(max_size=40)),
    st.sampled_from(["1|sign|" + "a" * 40, "1|page|medical-access|999999999", "1|setlang|zz"]),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@FUZZ
@given(name=TEXT, role=TEXT, org=TEXT)
async def test_free_text_steps(
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    name: str,
    role: str,
    org: str,
) -> None:
    u = make_user(first_name=name[:64] or "X")
    await u.start(CAMPAIGN)
    await u.press("Sign")
    for text in (name, "Valid Name", role, org):
        if text:
            await u.send(text)
    await u.send("/mysignature")
    assert _errors(caplog) == []
    tg.assert_no_violations()


@FUZZ
@given(payload=TEXT, data=CALLBACK, query=TEXT)
async def test_deep_links_callbacks_and_inline_queries(
    make_user: Callable[..., FakeUser],
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    payload: str,
    data: str,
    query: str,
) -> None:
    u = make_user()
    await u.send(f"/start {payload}" if payload.strip() else "/start")
    anchor = u.last
    await u.press_data(data, anchor)
    await u.inline_query(query[:256])
    assert _errors(caplog) == []
    tg.assert_no_violations()
