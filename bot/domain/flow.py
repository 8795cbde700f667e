"""The signing flow as a named type: its steps, what each accepts, and where it leads.

Card → Sign → name (one to three lines) → preview → one of two sign buttons. Role and
organisation are added from the preview and lead back to it; text typed at the preview fills
them, never the name (someone who sends the role as a second message must not find it
recorded as their name). `FLOW` is the one table of which
action is accepted at which step; core/signing asks it before every change, and a tap it does
not accept changes nothing. Nothing here knows Telegram.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from bot.domain.signatures import Draft, Step
from bot.domain.text_rules import Checked, Problem, check_name, check_optional

MAX_LINES = 3  # name, role, organisation: "Name, role, organisation" as open letters list them
OMIT = "-"  # a line of just this leaves that field out


class Action(StrEnum):
    """What a signer does to the flow: a button (its callback action) or typed text."""

    SIGN = "sign"  # Sign on the card: starts the flow, or shows it where it stands
    PROFILE_NAME = "pname"  # the Telegram profile name (or the kept one, when editing)
    NAMELESS = "noname"  # counted without a name, where the campaign allows it
    EXTRAS = "extras"  # add or change role and organisation
    BACK = "back"  # from role and organisation back to the preview
    CONFIRM = "ok"  # one of the two sign buttons
    EDIT = "edit"  # change the draft, or a signature already recorded
    CANCEL = "cancel"
    TEXT = "text"  # typed text: the name (with role and organisation), or the extras


# Step → the actions accepted there → the step each leads to (None: the draft ends, recorded
# or cancelled). VISIT stands for "no flow for this campaign" (reading it, or nothing at all).
# A pair not listed is a stale or out-of-order tap: it changes nothing.
FLOW: Mapping[Step, Mapping[Action, Step | None]] = MappingProxyType(
    {
        # CANCEL at VISIT forgets the visit (which campaign was opened, through which link).
        Step.VISIT: MappingProxyType(
            {Action.SIGN: Step.NAME, Action.EDIT: Step.NAME, Action.CANCEL: None}
        ),
        Step.NAME: MappingProxyType(
            {
                Action.SIGN: Step.NAME,
                Action.PROFILE_NAME: Step.PREVIEW,
                Action.TEXT: Step.PREVIEW,
                Action.NAMELESS: None,
                Action.EDIT: Step.NAME,
                Action.CANCEL: None,
            }
        ),
        Step.PREVIEW: MappingProxyType(
            {
                Action.SIGN: Step.PREVIEW,
                Action.TEXT: Step.PREVIEW,
                Action.EXTRAS: Step.EXTRAS,
                Action.CONFIRM: None,
                Action.EDIT: Step.NAME,
                Action.CANCEL: None,
            }
        ),
        Step.EXTRAS: MappingProxyType(
            {
                Action.SIGN: Step.EXTRAS,
                Action.TEXT: Step.PREVIEW,
                Action.BACK: Step.PREVIEW,
                Action.EDIT: Step.NAME,
                Action.CANCEL: None,
            }
        ),
    }
)


def stage(draft: Draft | None, campaign: str | None = None) -> Step:
    """Where the person stands in the flow of `campaign` (any campaign: None); VISIT when
    they have no flow there."""
    if draft is None or not draft.signing:
        return Step.VISIT
    if campaign is not None and draft.campaign != campaign:
        return Step.VISIT
    return draft.step


def accepts(step: Step, action: Action) -> bool:
    return action in FLOW[step]


def moved(draft: Draft, action: Action, now: int) -> Draft:
    """The draft after an accepted `action` that keeps it (not CONFIRM, NAMELESS, CANCEL)."""
    step = FLOW[stage(draft)][action]
    assert step is not None, action
    return replace(draft, step=step, updated_at=now)


class Field(StrEnum):
    NAME = "name"
    ROLE = "role"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Rejected:
    """Typed text that cannot be used, with the field and rule it broke."""

    field: Field
    problem: Problem
    length: int


@dataclass(frozen=True)
class Accepted:
    """The draft after the text was read into it; the next step is always the preview.
    `filled`: the fields typed at the preview went into, with their values, for it to say."""

    draft: Draft
    filled: tuple[tuple[Field, str], ...] = ()


@dataclass(frozen=True)
class NoRoom:
    """Text typed at the preview with no empty field left for it: nothing changes."""


def _lines(text: str) -> list[str]:
    return [line for line in (raw.strip() for raw in text.splitlines()) if line]


def _optional(line: str | None, field: Field) -> tuple[str | None, Rejected | None]:
    if line is None or line == OMIT:
        return None, None
    checked: Checked = check_optional(line)
    if checked.problem is Problem.EMPTY:
        return None, None
    if not checked.ok:
        assert checked.problem is not None
        return None, Rejected(field, checked.problem, len(checked.value))
    return checked.value, None


def _fill(draft: Draft, lines: list[str], now: int) -> Accepted | Rejected | NoRoom:
    """At the preview: each line goes into the next empty field, the role then the
    organisation; more lines than empty fields change nothing."""
    empty = [f for f in (Field.ROLE, Field.ORGANISATION) if not getattr(draft, f.value)]
    if not lines or len(lines) > len(empty):
        return NoRoom()
    role, organisation = draft.role, draft.organisation
    filled: list[tuple[Field, str]] = []
    for field, line in zip(empty, lines, strict=False):
        value, problem = _optional(line, field)
        if problem:
            return problem
        if value is None:
            continue
        if field is Field.ROLE:
            role = value
        else:
            organisation = value
        filled.append((field, value))
    changed = replace(draft, role=role, organisation=organisation)
    return Accepted(moved(changed, Action.TEXT, now), tuple(filled))


def read_text(draft: Draft, text: str, now: int) -> Accepted | Rejected | NoRoom:
    """What typed text means at the draft's step.

    At NAME it is the name, optionally followed by the role and the organisation on their own
    lines. At the preview each line fills the next empty field, role then organisation (a
    second message after the name is the role, a third the organisation); the name changes
    only through "Change name". At EXTRAS the first line is the role and the second the
    organisation; a single line is the role and `-` leaves one out. Commas never split:
    "Head of Dept., Univ. X" is one role.
    """
    lines = _lines(text)
    if draft.step is Step.PREVIEW:
        return _fill(draft, lines, now)
    if draft.step is Step.EXTRAS:
        role_line = lines[0] if lines else None
        org_line = lines[1] if len(lines) > 1 else None
        if len(lines) > 2:
            org_line = " ".join(lines[1:])
        role, problem = _optional(role_line, Field.ROLE)
        if problem:
            return problem
        organisation, problem = _optional(org_line, Field.ORGANISATION)
        if problem:
            return problem
        return Accepted(
            moved(replace(draft, role=role, organisation=organisation), Action.TEXT, now)
        )
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], " ".join(lines[MAX_LINES - 1 :])]
    checked = check_name(lines[0] if lines else text)
    if not checked.ok:
        assert checked.problem is not None
        return Rejected(Field.NAME, checked.problem, len(checked.value))
    role, organisation = draft.role, draft.organisation
    if len(lines) > 1:
        role, problem = _optional(lines[1], Field.ROLE)
        if problem:
            return problem
        organisation = None
        if len(lines) > 2:
            organisation, problem = _optional(lines[2], Field.ORGANISATION)
            if problem:
                return problem
    changed = replace(draft, name=checked.value, role=role, organisation=organisation)
    return Accepted(moved(changed, Action.TEXT, now))


def can_sign(draft: Draft) -> bool:
    """Only a previewed draft with a name can be signed: nothing is recorded before that."""
    return accepts(stage(draft), Action.CONFIRM) and bool(draft.name)
