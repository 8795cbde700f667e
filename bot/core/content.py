"""Loading campaign folders that organisers edit by hand.

Every problem is reported with the file and the field, because the person fixing it is an
organiser with a text editor, not a developer with a traceback.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.config import SUPPORTED_LANGUAGES
from bot.domain.campaigns import KINDS, SLUG_RE, Campaign, CampaignSet, CampaignText, Owner
from bot.domain.goals import GoalLadder, LadderError, ladder_of

TITLE_MAX = 120
SUMMARY_MAX = 800
SAFETY_MAX = 400
GOAL_SENTENCE_MAX = 200  # one line under the progress bar, and in the milestone notice
VERSION_DIGITS = 12
TEXT_MAX = 100_000  # one language's file: the example petition's longest is about 18,000
TEXT_FIELDS = ("title", "summary", "addressees", "safety")
# A line that starts the paragraphs for supporters only: shown in the bot, left out of the
# documents for the addressees (safety advice, "please pass it on").
SUPPORTERS_MARK = re.compile(r"^\+\+\+ supporters[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class CampaignFiles:
    """A campaign in the folder format, as text: what a folder holds, what the database stores
    for a campaign it owns, and what `campaigns export` writes."""

    meta: str  # campaign.toml
    texts: dict[str, str] = field(default_factory=dict)  # language -> <language>.md

    @classmethod
    def read(cls, folder: Path) -> CampaignFiles:
        """The folder's files, line ends made \\n (the text's version hashes these)."""
        meta_path = folder / "campaign.toml"
        if not meta_path.is_file():
            raise ContentError(meta_path, "(file)", "is missing")
        texts = {}
        for path in sorted(folder.glob("*.md")):
            if path.stem not in SUPPORTED_LANGUAGES:
                raise ContentError(
                    path, "(file name)", f"must be one of {SUPPORTED_LANGUAGES} + .md"
                )
            texts[path.stem] = _read(path)
        return cls(_read(meta_path), texts)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "campaign.toml").write_bytes(self.meta.encode("utf-8"))
        for language, body in sorted(self.texts.items()):
            (folder / f"{language}.md").write_bytes(body.encode("utf-8"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


@dataclass
class ContentError(Exception):
    path: Path
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.problem}"


def _require(data: dict[str, Any], key: str, kind: type, path: Path) -> Any:
    if key not in data:
        raise ContentError(path, key, "is missing")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ContentError(path, key, f"must be a {kind.__name__}")
    return value


def _text_list(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(path, key, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _read_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(path, "(syntax)", str(exc)) from None


def _goal_sentences(value: Any, path: Path, ladder: GoalLadder) -> dict[int, str]:
    """The [goals] table: what reaching each goal does, keyed by one of the campaign's goals
    (the amounts stay in campaign.toml, so every language describes the same ladder)."""
    if not isinstance(value, dict):
        raise ContentError(path, "goals", 'must be a table: a [goals] line, then 15000 = "…"')
    misplaced = sorted(set(value) & set(TEXT_FIELDS))
    if misplaced:
        inside = ", ".join(misplaced)
        raise ContentError(path, "goals", f"must come last in the header ({inside} fell into it)")
    steps = ", ".join(str(step) for step in ladder.steps)
    sentences: dict[int, str] = {}
    for key, text in value.items():
        where = f"goals.{key}"
        digits = key.replace("_", "")
        if not (digits.isascii() and digits.isdigit()):
            raise ContentError(path, where, "must be a goal amount such as 15000")
        amount = int(digits) if len(digits) <= 12 else 0
        if amount not in ladder.steps:
            raise ContentError(path, where, f"is not one of the campaign's goals ({steps})")
        if amount in sentences:
            raise ContentError(path, where, "is given twice")
        sentence = " ".join(text.split()) if isinstance(text, str) else ""
        if not sentence or len(sentence) > GOAL_SENTENCE_MAX:
            raise ContentError(path, where, f"must be a text of 1-{GOAL_SENTENCE_MAX} characters")
        sentences[amount] = sentence
    return sentences


def version_of(body: str) -> str:
    """A text's version: what its sign button carries and its signatures record."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:VERSION_DIGITS]


def _load_text(path: Path, raw: str, addressee_count: int, ladder: GoalLadder) -> CampaignText:
    parts = raw.split("+++\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ContentError(path, "(header)", "must start with a +++ header block closed by +++")
    header = _read_toml(path, parts[1])
    # First: a [goals] table put above the other fields swallows them ("title is missing").
    goal_sentences = _goal_sentences(header["goals"], path, ladder) if "goals" in header else {}
    title = _require(header, "title", str, path).strip()
    summary = _require(header, "summary", str, path).strip()
    if not title or len(title) > TITLE_MAX:
        raise ContentError(path, "title", f"must be 1-{TITLE_MAX} characters")
    if not summary or len(summary) > SUMMARY_MAX:
        raise ContentError(path, "summary", f"must be 1-{SUMMARY_MAX} characters")
    addressees: tuple[str, ...] = ()
    if "addressees" in header:
        addressees = _text_list(header["addressees"], path, "addressees")
        if len(addressees) != addressee_count:
            raise ContentError(
                path,
                "addressees",
                f"has {len(addressees)} entries but campaign.toml has {addressee_count}",
            )
    safety = header.get("safety", "")
    if not isinstance(safety, str) or len(safety.strip()) > SAFETY_MAX:
        raise ContentError(path, "safety", f"must be a text of at most {SAFETY_MAX} characters")
    unknown = set(header) - {*TEXT_FIELDS, "goals"}
    if unknown:
        raise ContentError(path, ", ".join(sorted(unknown)), "unknown field")
    addressed, *rest = SUPPORTERS_MARK.split(parts[2])
    if len(rest) > 1:
        raise ContentError(path, "(text)", "has more than one `+++ supporters` line")
    paragraphs = _paragraphs(addressed)
    if not paragraphs:
        raise ContentError(path, "(text)", "the full text after the header is empty")
    supporters = _paragraphs(rest[0]) if rest else ()
    if rest and not supporters:
        raise ContentError(path, "(text)", "nothing follows the `+++ supporters` line")
    return CampaignText(
        path.stem,
        title,
        summary,
        paragraphs + supporters,
        addressees,
        safety.strip(),
        goal_sentences,
        len(paragraphs) if supporters else None,
        version_of(raw),
        raw,
    )


def readable(raw: str) -> str:
    """A version's file as a reader gets it (its earlier text): title, summary and
    paragraphs, without the header's syntax. Lenient: the file was valid when it was in use."""
    parts = raw.split("+++\n", 2)
    if len(parts) != 3:
        return raw
    try:
        header = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError:
        header = {}
    lines = [str(header.get(key, "")).strip() for key in ("title", "summary")]
    paragraphs = _paragraphs(SUPPORTERS_MARK.sub("", parts[2]))
    return "\n\n".join([line for line in lines if line] + list(paragraphs)) + "\n"


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def _addressees(meta: dict[str, Any], meta_path: Path) -> tuple[str, ...]:
    entries = meta.get("addressees", [])
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str) and e["name"].strip()
        for e in entries
    ):
        raise ContentError(meta_path, "addressees", "each [[addressees]] needs a name")
    return tuple(e["name"].strip() for e in entries)


_SWITCHES = (
    ("nameless", False),
    ("signatories", True),
    ("review_public_names", True),
    ("list_earlier_signatures", False),
    ("web_signatories", False),
    ("list_earlier_on_web", False),
)


def _switches(meta: dict[str, Any], meta_path: Path) -> dict[str, bool]:
    """The campaign's true/false settings, each with its default."""
    switches = {}
    for key, default in _SWITCHES:
        switches[key] = meta.get(key, default)
        if not isinstance(switches[key], bool):
            raise ContentError(meta_path, key, "must be true or false")
    return switches


def load_campaign(folder: Path) -> Campaign:
    return parse_campaign(CampaignFiles.read(folder), folder)


def parse_campaign(files: CampaignFiles, folder: Path, owner: Owner = Owner.FOLDER) -> Campaign:
    """The campaign these files describe; ContentError names the first problem. `folder` is
    where the files are (or would be): what the problem's message names."""
    meta_path = folder / "campaign.toml"
    meta = _read_toml(meta_path, files.meta)
    slug = _require(meta, "slug", str, meta_path)
    if not SLUG_RE.match(slug):
        raise ContentError(meta_path, "slug", "must be 1-32 characters of a-z, 0-9 and -")
    kind = _require(meta, "kind", str, meta_path)
    if kind not in KINDS:
        raise ContentError(meta_path, "kind", f"must be one of {', '.join(KINDS)}")
    status = _require(meta, "status", str, meta_path)
    if status not in ("open", "closed"):
        raise ContentError(meta_path, "status", "must be open or closed")
    default_language = _require(meta, "default_language", str, meta_path)
    if default_language not in SUPPORTED_LANGUAGES:
        raise ContentError(meta_path, "default_language", f"must be one of {SUPPORTED_LANGUAGES}")
    started = meta.get("started")
    if started is not None and not isinstance(started, date):
        raise ContentError(meta_path, "started", "must be a date such as 2026-09-15")
    closed_on = meta.get("closed_on")
    if closed_on is not None and not isinstance(closed_on, date):
        raise ContentError(meta_path, "closed_on", "must be a date such as 2026-12-31")
    goals = meta.get("goals", [])
    if not isinstance(goals, list):
        raise ContentError(meta_path, "goals", "must be a list such as [500, 1000, 5000]")
    try:  # the same rule as an admin's /goal ladder; none at all means the default ladder
        ladder = ladder_of(goals)
    except LadderError as exc:
        raise ContentError(meta_path, "goals", str(exc)) from None
    addressees = _addressees(meta, meta_path)
    switches = _switches(meta, meta_path)
    texts: dict[str, CampaignText] = {}
    for language, raw in sorted(files.texts.items()):
        path = folder / f"{language}.md"
        if language not in SUPPORTED_LANGUAGES:
            raise ContentError(path, "(file name)", f"must be one of {SUPPORTED_LANGUAGES} + .md")
        if len(raw) > TEXT_MAX:
            raise ContentError(path, "(text)", f"is longer than {TEXT_MAX} characters")
        texts[language] = _load_text(path, raw, len(addressees), ladder)
    if default_language not in texts:
        raise ContentError(folder / f"{default_language}.md", "(file)", "default language text")
    return Campaign(
        slug=slug,
        kind=kind,
        is_open=status == "open",
        default_language=default_language,
        started=started,
        goals=tuple(goals),
        addressees=addressees,
        texts=texts,
        closed_on=closed_on,
        review_explicit="review_public_names" in meta,
        owner=owner,
        folder=folder.name if owner is Owner.FOLDER else "",
        **switches,
    )


def campaign_problems(root: Path) -> tuple[list[Campaign], list[ContentError]]:
    """Every campaign folder under `root` and every problem found, one per bad folder."""
    if not root.is_dir():
        return [], [ContentError(root, "CAMPAIGNS_DIR", "is not a folder")]
    campaigns: list[Campaign] = []
    problems: list[ContentError] = []
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            campaign = load_campaign(folder)
        except ContentError as exc:
            problems.append(exc)
            continue
        if campaign.slug in seen:
            problems.append(
                ContentError(folder / "campaign.toml", "slug", f"duplicates {seen[campaign.slug]}")
            )
            continue
        seen[campaign.slug] = folder
        campaigns.append(campaign)
    if not campaigns and not problems:
        problems.append(ContentError(root, "CAMPAIGNS_DIR", "holds no campaign folder"))
    return campaigns, problems


def load_campaigns(root: Path) -> CampaignSet:
    """All campaign folders under `root`; raises ContentError on the first bad file."""
    campaigns, problems = campaign_problems(root)
    if problems:
        raise problems[0]
    return CampaignSet(campaigns)
