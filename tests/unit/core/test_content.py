"""Campaign content: the shipped examples load; bad files name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.content import ContentError, load_campaigns
from bot.domain.paging import paginate

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_campaigns_load_with_required_shape() -> None:
    campaigns = load_campaigns(ROOT / "campaigns")
    petition = campaigns.get("medical-access")
    letter = campaigns.get("open-doors-letter")
    assert petition is not None and letter is not None
    assert petition.kind == "petition" and letter.kind == "letter"
    assert len(petition.addressees) >= 10
    assert petition.goals == tuple(sorted(petition.goals))
    for campaign in (petition, letter):
        assert {"en", "ru", "be"} <= set(campaign.texts)
        for text in campaign.texts.values():
            assert len(paginate(text.paragraphs)) >= 2, (campaign.slug, text.language)
            if text.addressees:
                assert len(text.addressees) == len(campaign.addressees)


def _write(folder: Path, meta: str, text: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.toml").write_text(meta)
    (folder / "en.md").write_text(
        text or '+++\ntitle = "T"\nsummary = "S"\n+++\nA paragraph.\n\nAnother.\n'
    )


GOOD = 'slug = "ok"\nkind = "petition"\nstatus = "open"\ndefault_language = "en"\n'


@pytest.mark.parametrize(
    ("meta", "text", "file", "field"),
    [
        (GOOD.replace('"ok"', '"Bad Slug"'), "", "campaign.toml", "slug"),
        (GOOD.replace('"petition"', '"poll"'), "", "campaign.toml", "kind"),
        (GOOD + "goals = [100, 50]\n", "", "campaign.toml", "goals"),
        (GOOD.replace('status = "open"\n', ""), "", "campaign.toml", "status"),
        (GOOD + "slug2 = [", "", "campaign.toml", "(syntax)"),
        (GOOD, '+++\nsummary = "S"\n+++\nText\n', "en.md", "title"),
        (GOOD, '+++\ntitle = "T"\nsummary = "S"\nauthor = "x"\n+++\nText\n', "en.md", "author"),
        (GOOD, '+++\ntitle = "T"\nsummary = "S"\n+++\n\n', "en.md", "(text)"),
        (GOOD, 'title = "T"\n', "en.md", "(header)"),
        (
            GOOD + '[[addressees]]\nname = "A"\n',
            '+++\ntitle = "T"\nsummary = "S"\naddressees = ["A", "B"]\n+++\nText\n',
            "en.md",
            "addressees",
        ),
    ],
)
def test_bad_files_name_file_and_field(
    tmp_path: Path, meta: str, text: str, file: str, field: str
) -> None:
    _write(tmp_path / "c", meta, text)
    with pytest.raises(ContentError) as info:
        load_campaigns(tmp_path)
    assert info.value.path.name == file
    assert info.value.field == field
    assert file in str(info.value) and field in str(info.value)


def test_missing_default_language_text(tmp_path: Path) -> None:
    _write(tmp_path / "c", GOOD.replace('"en"', '"ru"'))
    with pytest.raises(ContentError, match=r"ru\.md"):
        load_campaigns(tmp_path)
