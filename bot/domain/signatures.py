"""Signatures, drafts and the pseudonymous signer id."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import IntFlag, StrEnum

from bot.domain.signatories import Review


class Step(StrEnum):
    """Where a person's draft stands in the signing flow (bot.domain.flow); stored as its value."""

    VISIT = "visit"  # reading a campaign: remembers which one, and the link's source
    NAME = "name"  # waiting for the name (optionally with role and organisation)
    PREVIEW = "preview"  # showing what will be recorded; waiting for a sign button
    EXTRAS = "extras"  # waiting for role and organisation; returns to the preview

    @classmethod
    def parse(cls, value: str, has_name: bool) -> Step:
        """A stored step; steps of the old five-step flow resume where they now belong."""
        try:
            return cls(value)
        except ValueError:
            return cls.PREVIEW if has_name else cls.NAME


class Counted(IntFlag):
    """Funnel events a draft has already counted, so a repeated tap counts once."""

    NONE = 0
    OPENED = 1
    STARTED = 2
    NAMED = 4


def _hmac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def signer_id(key: bytes, telegram_user_id: int) -> str:
    """HMAC-SHA256 of the Telegram id: the pseudonym every row carried before version 2.

    It is never stored any more; the pseudonyms below are derived from it, which is what lets
    the data step move old rows with the key alone (without the Telegram ids).
    """
    return _hmac(key, str(telegram_user_id))


NEW_KEY = re.compile(rb"[0-9a-fA-F]{64}")  # the format of a key made for a new database


def new_signer_key() -> str:
    """A key for a new database: 64 hex digits (256 bits)."""
    return secrets.token_hex(32)


def key_fingerprint(key: bytes) -> str:
    """A keyed hash of a constant: tells a changed key from the right one, reveals nothing."""
    return _hmac(key, "petition-bot signer-key fingerprint v1")[:32]


def _xor(data: bytes, mask: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, mask, strict=True))


class Pseudonyms:
    """Every keyed id of a person, each for one purpose, so no two tables share one.

    All derive by HMAC from the person's base: since version 3 the slow base (argon2id of
    `signer_id`, bot/crypto.py), so testing one Telegram id costs one slow computation. A
    signature's pseudonym differs per campaign (a leaked database does not link one person's
    signatures across campaigns); drafts and preferences use a per-person id; blocks and
    subscriptions their own.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._chat_key = hmac.digest(key, b"subkey:subscriber-chat", "sha256")

    def derive(self, purpose: str, base: str) -> str:
        return _hmac(self._key, f"{purpose}:{base}")

    def person_of(self, base: str) -> str:
        return self.derive("person", base)

    def signer_of(self, base: str, campaign: str) -> str:
        return self.derive(f"signature:{campaign}", base)

    def subscriber_of(self, base: str, campaign: str) -> str:
        return self.derive(f"subscription:{campaign}", base)

    def block_of(self, base: str) -> str:
        return self.derive("block", base)

    def seal_base(self, base: str) -> str:
        """The base id encrypted under the key with a fresh nonce, for the signature row.

        Moderators block a person from a signature, which knows only its campaign pseudonym;
        the seal lets the key holder recover the block id, while two seals of one person look
        unrelated to anyone without the key (so they do not link signatures either).
        """
        nonce = secrets.token_bytes(16)
        mask = hmac.new(self._key, b"seal:" + nonce, hashlib.sha256).digest()
        return (nonce + _xor(bytes.fromhex(base), mask)).hex()

    def seal_chat(self, chat_id: int) -> str:
        """A subscriber's chat id encrypted under its own subkey with a fresh nonce, and tagged.

        Two seals of one chat share nothing, so without the key neither the id nor a link
        between a person's subscriptions (or deliveries) can be read from them; the key holder
        opens each one, because the bot must write to its subscribers.
        """
        nonce = secrets.token_bytes(16)
        box = _xor(chat_id.to_bytes(8, "big", signed=True), self._chat_mask(nonce))
        return (nonce + box + self._chat_tag(nonce, box)).hex()

    def unseal_chat(self, sealed: str | None) -> int | None:
        """The chat id inside a seal, or None for a missing, malformed or altered one."""
        try:
            raw = bytes.fromhex(sealed or "")
        except ValueError:
            return None
        nonce, box, tag = raw[:16], raw[16:24], raw[24:]
        if len(raw) != 32 or not hmac.compare_digest(tag, self._chat_tag(nonce, box)):
            return None
        return int.from_bytes(_xor(box, self._chat_mask(nonce)), "big", signed=True)

    def _chat_mask(self, nonce: bytes) -> bytes:
        return hmac.digest(self._chat_key, b"mask:" + nonce, "sha256")[:8]

    def _chat_tag(self, nonce: bytes, box: bytes) -> bytes:
        return hmac.digest(self._chat_key, b"tag:" + nonce + box, "sha256")[:8]

    def unseal(self, sealed: str | None) -> str | None:
        """The base id inside a seal, or None for a missing or malformed one."""
        try:
            raw = bytes.fromhex(sealed or "")
        except ValueError:
            return None
        if len(raw) != 48:
            return None
        mask = hmac.new(self._key, b"seal:" + raw[:16], hashlib.sha256).digest()
        return _xor(raw[16:], mask).hex()


@dataclass(frozen=True)
class Signature:
    number: int
    campaign: str
    name: str | None
    role: str | None
    organisation: str | None
    public: bool
    language: str
    signed_at: int
    updated_at: int | None = None
    review: Review = Review.WAITING  # the organisers' review of a public name
    list_consent: bool = False  # made when the bot had its own list (bot.domain.signatories)
    lookalike: bool = False  # looked like another public name: listed only once approved
    web_consent: bool = False  # its preview said the name goes on the public web page


@dataclass(frozen=True)
class Preview:
    """What an organiser is shown of one signature before deciding on it (/remove, /block).

    The name, role and organisation only when its signer made the name public and no organiser
    hid it since: a moderator's account (or whoever took it over) walking every number learns
    no name its signer kept out of the list. `Preview.of` is the one rule.
    """

    number: int
    campaign: str
    signed_at: int
    public: bool  # the signer's choice
    review: Review  # meaningful for public names only
    name: str | None = None
    role: str | None = None
    organisation: str | None = None

    @classmethod
    def of(cls, signature: Signature) -> Preview:
        shown = signature.public and bool(signature.name) and signature.review is not Review.HIDDEN
        return cls(
            signature.number,
            signature.campaign,
            signature.signed_at,
            signature.public,
            signature.review,
            *((signature.name, signature.role, signature.organisation) if shown else ()),
        )


@dataclass(frozen=True)
class Draft:
    person: str
    campaign: str
    step: Step
    name: str | None = None
    role: str | None = None
    organisation: str | None = None
    public: bool | None = None
    editing: bool = False
    message_id: int | None = None
    last_update: int = 0
    updated_at: int = 0
    source: str | None = None
    counted: Counted = Counted.NONE
    bot: int = 0  # the getMe id of the bot whose chat holds `message_id`

    @property
    def signing(self) -> bool:
        return self.step is not Step.VISIT


class Confirmed(StrEnum):
    """What a sign button did."""

    SIGNED = "signed"  # a new signature
    UPDATED = "updated"  # an edit: the signature's old values were overwritten
    NO_DRAFT = "no_draft"  # nothing: the draft it was shown with is gone or moved on
    BLOCKED = "blocked"  # nothing: moderators blocked this person


@dataclass(frozen=True)
class ConfirmResult:
    """What Confirm did, and the campaign's count after it."""

    outcome: Confirmed
    count: int
    signature: Signature | None = None
