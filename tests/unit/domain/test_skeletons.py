"""Skeletons and scripts from the vendored Unicode data (bot/unicode_data)."""

from __future__ import annotations

import pytest

from bot.domain.lookalikes import DATA, public_skeleton, unicode_tables


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Olga Sokolova", "0lga Sokolova"),  # digit zero
        ("OLGA  SOKOLOVA", "Olga Sokolova"),  # case and spacing
        ("Alina Listed", "A1ina Listed"),  # digit one for l
        ("Анна Иванова", "Aнна Иванова"),  # a Latin A in front of Cyrillic
        ("Ivan Petrov", "\u0406van Petrov"),  # a Cyrillic І
    ],
)
def test_names_that_look_alike_share_a_skeleton(one: str, other: str) -> None:
    assert unicode_tables().skeleton(one) == unicode_tables().skeleton(other)


def test_different_names_keep_different_skeletons() -> None:
    tables = unicode_tables()
    assert tables.skeleton("Olga Sokolova") != tables.skeleton("Olga Sokolov")
    assert tables.skeleton("Анна") != tables.skeleton("Ганна")


def test_only_a_public_name_has_a_skeleton() -> None:
    assert public_skeleton("Olga", public=False) is None
    assert public_skeleton(None, public=True) is None
    assert public_skeleton("Olga", public=True) == "olga"


def test_the_data_is_read_once_and_carries_its_licence() -> None:
    assert unicode_tables() is unicode_tables()
    assert unicode_tables().script("ж") == "Cyrillic" and unicode_tables().script("1") is None
    assert "UNICODE LICENSE V3" in (DATA / "LICENSE").read_text(encoding="utf-8")
