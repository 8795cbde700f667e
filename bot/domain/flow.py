"""The signing flow as a named type: its steps, what each accepts, and where it leads.

Card → Sign → name (one to three lines) → preview → one of two sign buttons. Role and
organisation are added from the preview and lead back to it. Handlers parse an update, ask
this module what it means, and render the answer; nothing here knows Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.signatures import Draft, Step
from bot.domain.text_rules import Checked, Problem, check_name, check_optional

MAX_LINES = 3  # name, role, organisation: "Name, role, organisation" as open letters list them
OMIT = "-"  # a line of just this leaves that field out


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
    """The draft after the text was read into it; the next step is always the preview."""

    draft: Draft


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


def read_text(draft: Draft, text: str, now: int) -> Accepted | Rejected:
    """What typed text means at the draft's step.

    At NAME and PREVIEW it is the name, optionally followed by the role and the organisation
    on their own lines (typing again at the preview changes what will be recorded). At EXTRAS
    the first line is the role and the second the organisation; a single line is the role and
    `-` leaves one out. Commas never split: "Head of Dept., Univ. X" is one role.
    """
    lines = _lines(text)
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
        done = replace(draft, role=role, organisation=organisation)
        return Accepted(replace(done, step=Step.PREVIEW, updated_at=now))
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
    return Accepted(replace(changed, step=Step.PREVIEW, updated_at=now))


def use_name(draft: Draft, name: str, now: int) -> Draft:
    """The name offered on a button (the Telegram profile name, or the one kept when editing)."""
    return replace(draft, name=name, step=Step.PREVIEW, updated_at=now)


def to_extras(draft: Draft, now: int) -> Draft:
    return replace(draft, step=Step.EXTRAS, updated_at=now)


def back_to_preview(draft: Draft, now: int) -> Draft:
    return replace(draft, step=Step.PREVIEW, updated_at=now)


def can_sign(draft: Draft) -> bool:
    """Only a previewed draft with a name can be signed: nothing is recorded before that."""
    return draft.step is Step.PREVIEW and bool(draft.name)
