"""A campaign written from Telegram, as one typed state machine (as bot.domain.flow is for
signing): its steps, what each accepts and where it leads.

/newcampaign → kind → default language → goals → addressees → texts (a document per language,
or typed) → safety note → slug (suggested from the title) → switches → preview → published (or,
with four eyes, waiting for a second admin). Abandon is accepted at every step. A step not
listed for an action is a stale or repeated tap: it changes nothing. Nothing here knows
Telegram or the database.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from bot.domain.campaigns import SLUG_RE, Campaign, CampaignText


class Step(StrEnum):
    KIND = "kind"
    LANGUAGE = "language"
    GOALS = "goals"
    ADDRESSEES = "addressees"
    TEXTS = "texts"
    SAFETY = "safety"
    SLUG = "slug"
    SWITCHES = "switches"
    PREVIEW = "preview"
    WAITING = "waiting"  # four eyes: a second admin publishes it


class Action(StrEnum):
    """What an admin does: a button (its callback word) or what they send."""

    PICK = "pick"  # a kind, a language or the suggested slug: the button's value
    TYPED = "typed"  # typed text (or a document at TEXTS)
    NEXT = "next"  # done with this step (more texts, no safety note, the switches as they are)
    TOGGLE = "toggle"  # one switch
    PUBLISH = "publish"
    ABANDON = "abandon"


_ALL = MappingProxyType({Action.ABANDON: None})
# Step → the actions accepted there → the step each leads to (None: the draft ends).
FLOW: Mapping[Step, Mapping[Action, Step | None]] = MappingProxyType(
    {
        Step.KIND: MappingProxyType({Action.PICK: Step.LANGUAGE, **_ALL}),
        Step.LANGUAGE: MappingProxyType({Action.PICK: Step.GOALS, **_ALL}),
        Step.GOALS: MappingProxyType({Action.TYPED: Step.ADDRESSEES, **_ALL}),
        Step.ADDRESSEES: MappingProxyType({Action.TYPED: Step.TEXTS, **_ALL}),
        Step.TEXTS: MappingProxyType({Action.TYPED: Step.TEXTS, Action.NEXT: Step.SAFETY, **_ALL}),
        Step.SAFETY: MappingProxyType({Action.TYPED: Step.SLUG, Action.NEXT: Step.SLUG, **_ALL}),
        Step.SLUG: MappingProxyType(
            {Action.TYPED: Step.SWITCHES, Action.PICK: Step.SWITCHES, **_ALL}
        ),
        Step.SWITCHES: MappingProxyType(
            {Action.TOGGLE: Step.SWITCHES, Action.NEXT: Step.PREVIEW, **_ALL}
        ),
        Step.PREVIEW: MappingProxyType({Action.PUBLISH: None, **_ALL}),
        Step.WAITING: MappingProxyType({Action.PUBLISH: None, **_ALL}),
    }
)

# The switches offered, with their defaults (bot.core.content reads the same names).
SWITCHES = (("signatories", True), ("review_public_names", True), ("nameless", False))


def accepts(step: Step, action: Action) -> bool:
    return action in FLOW[step]


@dataclass(frozen=True)
class Draft:
    """A campaign being created: what the admin gave so far (texts in the file format)."""

    id: int
    organiser: str  # keyed hash of the admin who started it
    step: Step
    revision: int
    kind: str = ""
    language: str = ""
    goals: tuple[int, ...] = ()
    addressees: tuple[str, ...] = ()
    texts: dict[str, str] = field(default_factory=dict, hash=False)
    safety: str = ""
    slug: str = ""
    switches: dict[str, bool] = field(default_factory=lambda: dict(SWITCHES), hash=False)

    def moved(self, action: Action, **changes: Any) -> Draft:
        step = FLOW[self.step][action]
        assert step is not None, action
        return replace(self, step=step, **changes)

    def data(self) -> dict[str, Any]:
        """What the database keeps of it (JSON)."""
        return {
            "kind": self.kind,
            "language": self.language,
            "goals": list(self.goals),
            "addressees": list(self.addressees),
            "texts": self.texts,
            "safety": self.safety,
            "slug": self.slug,
            "switches": self.switches,
        }

    @classmethod
    def of(cls, id: int, organiser: str, step: str, revision: int, data: dict[str, Any]) -> Draft:
        return cls(
            id,
            organiser,
            Step(step),
            revision,
            str(data.get("kind", "")),
            str(data.get("language", "")),
            tuple(int(g) for g in data.get("goals", [])),
            tuple(str(a) for a in data.get("addressees", [])),
            {str(k): str(v) for k, v in data.get("texts", {}).items()},
            str(data.get("safety", "")),
            str(data.get("slug", "")),
            {**dict(SWITCHES), **{str(k): bool(v) for k, v in data.get("switches", {}).items()}},
        )


# -- slugs ---------------------------------------------------------------------------------

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєўґ",
        (
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "i",
            "i",
            "ie",
            "u",
            "g",
        ),
        strict=True,
    )
)


def suggest_slug(title: str, taken: set[str]) -> str:
    """A slug from the title (Cyrillic transliterated), not one of `taken`: at most 32 of
    a-z, 0-9 and inner -."""
    letters = []
    for char in title.lower():
        char = _CYRILLIC.get(char, char)
        char = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        letters.append(char if char.replace("-", "").isalnum() else "-")
    base = re.sub(r"-+", "-", "".join(letters).replace("--", "-")).strip("-")[:32].strip("-")
    base = base or "campaign"
    slug, n = base, 2
    while slug in taken or not SLUG_RE.match(slug):
        suffix = f"-{n}"
        slug = base[: 32 - len(suffix)].strip("-") + suffix
        n += 1
    return slug


# -- texts ---------------------------------------------------------------------------------

# What the bot would show as typed, not as formatting: Markdown headings, emphasis and links,
# and HTML tags (the bot escapes every text it shows).
_MARKUP = re.compile(r"^#{1,6} |\*\*|__|\[[^\]]+\]\([^)]+\)|</?[a-zA-Z][a-zA-Z0-9]*[ />]", re.M)


def markup_line(body: str) -> str | None:
    """The first line holding markup the bot would show as typed characters, or None."""
    for line in body.splitlines():
        if _MARKUP.search(line):
            return line.strip()
    return None


def is_file_format(body: str) -> bool:
    """A text in the campaign file format starts with its `+++` header."""
    return body.lstrip("\ufeff").startswith("+++")


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def render_text(text: CampaignText) -> str:
    """A language text in the campaign file format, written from what the loader read."""
    header = [f"title = {toml_string(text.title)}", f"summary = {toml_string(text.summary)}"]
    if text.addressees:
        header.append(f"addressees = [{', '.join(toml_string(a) for a in text.addressees)}]")
    if text.safety:
        header.append(f"safety = {toml_string(text.safety)}")
    if text.goal_sentences:
        header.append("")
        header.append("[goals]")
        header += [f"{goal} = {toml_string(s)}" for goal, s in sorted(text.goal_sentences.items())]
    paragraphs = list(text.for_addressees)
    if text.supporters_from is not None:
        paragraphs += ["+++ supporters", *text.paragraphs[text.supporters_from :]]
    return "+++\n" + "\n".join(header) + "\n+++\n" + "\n\n".join(paragraphs) + "\n"


def title_of(body: str) -> str:
    """The title of a text in the canonical form render_text writes (its first header line)."""
    lines = body.split("\n", 2)
    if len(lines) < 2 or not lines[1].startswith("title = "):
        return ""
    value = json.loads(lines[1][len("title = ") :])
    return value if isinstance(value, str) else ""


def plain_text(language: str, body: str) -> CampaignText | None:
    """Plain text: the first line is the title, the next paragraph the summary, the rest the
    full text (None when any of the three is missing)."""
    lines = body.replace("\r\n", "\n").strip().split("\n", 1)
    if len(lines) < 2:
        return None
    title, rest = lines[0].strip(), lines[1].strip()
    paragraphs = [" ".join(p.split()) for p in rest.split("\n\n") if p.strip()]
    if not title or len(paragraphs) < 2:
        return None
    return CampaignText(language, title, paragraphs[0], tuple(paragraphs[1:]))


def campaign_of(draft: Draft, slug: str, started: Any = None) -> Campaign:
    """The campaign the draft describes so far (texts left out: the loader reads them)."""
    return Campaign(
        slug=slug,
        kind=draft.kind or "petition",
        is_open=True,
        default_language=draft.language or "en",
        started=started,
        goals=draft.goals,
        addressees=draft.addressees,
        texts={},
        review_explicit=True,  # written in campaign.toml either way
        signatories=draft.switches.get("signatories", True),
        review_public_names=draft.switches.get("review_public_names", True),
        nameless=draft.switches.get("nameless", False),
    )
