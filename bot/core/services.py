"""What every handler needs, assembled once by build_fleet and reached via the context."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.config import Settings, draft_lifetime
from bot.core.bases import KEEP_AT_MOST, Bases
from bot.core.pages import PageIndexes
from bot.domain import goals
from bot.domain.bots import OfficialBot
from bot.domain.campaigns import Campaign, CampaignSet
from bot.domain.expiring import Expiring, Memory
from bot.domain.goals import Progress
from bot.domain.organisers import Level, level_of
from bot.domain.signatures import Pseudonyms
from bot.domain.versions import History
from bot.i18n import I18n, Translator
from bot.storage import Database
from bot.storage import keys as key_store
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store

T = TypeVar("T")
TrailNote = tuple[int, int, int]  # (bot, message id, when) of a trail note owed


@dataclass
class Services:
    settings: Settings
    db: Database
    i18n: I18n
    campaigns: CampaignSet
    # The versions of every campaign's texts (bot.core.catalogue keeps it current).
    history: History = field(default_factory=History)
    clock: Callable[[], float] = time.time
    _recent: dict[tuple[Hashable, ...], tuple[int, Any]] = field(default_factory=dict)
    # The page index of each campaign's public list (bot.core.pages).
    pages: PageIndexes = field(default_factory=PageIndexes, repr=False)
    ids: Pseudonyms = field(init=False, repr=False)

    bases: Bases = field(init=False, repr=False)
    # Every per-person structure in memory comes from here and expires after minutes.
    memory: Memory = field(init=False, repr=False)
    # Telegram id (blinded) -> the person pseudonym: one HMAC per person while it is kept,
    # not one for each of the dozen times an update asks for it.
    _persons: Expiring[int, str] = field(init=False, repr=False)
    # person -> chosen language ("" for none): saves a read on every update of a journey.
    _languages: Expiring[str, str] = field(init=False, repr=False)
    # person -> ((bot, last write), ...): one conversation per bot
    _trail_written: Expiring[str, tuple[tuple[int, int], ...]] = field(init=False, repr=False)
    # person -> ((bot, message id, when), ...): trail notes an update owes (bot.core.trail),
    # written with its first transaction on the person's rows or as it ends; never longer.
    _trail_owed: dict[str, tuple[TrailNote, ...]] = field(default_factory=dict, repr=False)
    # Set by the upgrade to version 3 while rows in the old form may remain: each person's rows
    # move when they come back (bot.storage.keys.come_back).
    legacy: bool = False
    # This process's id in the leases table (bot.core.leases), new at every start.
    worker: str = field(default_factory=lambda: secrets.token_hex(8))
    # The official bots and their roles as the database holds them (bot.core.bots).
    bots: tuple[OfficialBot, ...] = ()
    # Kinds of cached things changed here, for other workers (bot.core.workers), and the
    # generation of each kind this process last caught up with.
    changed: set[str] = field(default_factory=set, repr=False)
    generations: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.ids = Pseudonyms(self.settings.signer_key)
        # Through a lambda: a test replaces `clock` after the Services are built.
        self.memory = Memory(lambda: self.clock(), secrets.token_bytes(32))
        self.bases = Bases(self.settings.signer_key, self.settings.pseudonym_cost, self.memory)
        self._languages = self.memory.by_key()
        self._persons = self.memory.by_telegram_id(most=KEEP_AT_MOST)
        self._trail_written = self.memory.by_key()

    def now(self) -> int:
        return int(self.clock())

    async def prepare(self, user_id: int) -> None:
        """Computes the person's slow base, off the event loop, before their rows are touched;
        the first time in a while after an upgrade, also moves their rows to the new form."""
        fresh = await self.bases.prepare(user_id)
        if fresh is not None and self.legacy:
            held = await self.campaigns_held()
            await key_store.come_back(self.db, self.ids, fresh.fast, fresh.slow, held)

    def person(self, user_id: int) -> str:
        """The per-person pseudonym: drafts and preferences."""
        person = self._persons.get(user_id)
        if person is None:
            person = self._persons[user_id] = self.ids.person_of(self.bases.of(user_id))
        return person

    def known_person(self, user_id: int) -> str | None:
        """The per-person pseudonym if the base is at hand; None where it is not worth a
        slow computation (an inline query, a group command)."""
        person = self._persons.get(user_id)
        if person is None and (base := self.bases.cached(user_id)) is not None:
            person = self._persons[user_id] = self.ids.person_of(base)
        return person

    def signer(self, user_id: int, campaign: str) -> str:
        """The per-campaign pseudonym of signatures."""
        return self.ids.signer_of(self.bases.of(user_id), campaign)

    def subscriber(self, user_id: int, campaign: str) -> str:
        """The per-campaign pseudonym of subscriptions: shares nothing with the signature's."""
        return self.ids.subscriber_of(self.bases.of(user_id), campaign)

    async def subscriptions_of(self, user_id: int) -> list[tuple[str, str]]:
        """The person's subscriber pseudonym in every campaign held: (campaign, subscriber).
        Nothing finds a subscription by chat id (it is stored only sealed)."""
        return [(c, self.subscriber(user_id, c)) for c in await self.campaigns_held()]

    def reporter(self, user_id: int) -> str:
        """The pseudonym of a reader's reports of public names: shares nothing with the
        signature's, and moderators never see it."""
        return self.ids.derive("report", self.bases.of(user_id))

    def block(self, user_id: int) -> str:
        return self.ids.block_of(self.bases.of(user_id))

    def sealer(self, user_id: int) -> Callable[[], str]:
        """Makes the person's seal (a fresh nonce each time) where it is called: the nonce's
        read of the system's randomness lets go of the GIL, and on the event loop getting it
        back waited for the database's thread (issue 32), so a transaction makes it."""
        base = self.bases.of(user_id)
        return lambda: self.ids.seal_base(base)

    async def campaigns_held(self) -> list[str]:
        """Every campaign slug that is loaded or has signatures in the database."""
        held = await signature_store.campaigns_with_signatures(self.db)
        return sorted({*held, *(c.slug for c in self.campaigns.all())})

    def level(self, user_id: int | None) -> Level | None:
        return level_of(user_id, self.settings.admin_ids, self.settings.moderator_ids)

    def campaign(self, slug: str) -> Campaign | None:
        return self.campaigns.get(slug)

    async def progress(self, campaign: Campaign) -> Progress:
        """Count (the stored counter), +24 h, the goal in force (bot.domain.goals decides
        between the file and an admin's settings) and what reaching it does."""
        return self.progress_of(
            campaign, await signature_store.counter(self.db, campaign.slug, self.now())
        )

    def progress_of(self, campaign: Campaign, counter: signature_store.Counter) -> Progress:
        """`progress` from a counter read in the caller's transaction."""
        count, override, ladder, recent, _ = counter
        in_force = goals.goal_in_force(campaign.ladder, ladder, override, count)
        return Progress(
            count,
            recent,
            in_force.goal,
            in_force.ladder,
            in_force.admin_ladder,
            campaign.goal_meaning(in_force.goal),
        )

    async def language_of(self, person: str, telegram_code: str | None) -> str:
        chosen = self._languages.get(person)
        if chosen is None:
            stale = self.now() - draft_lifetime(self.settings)
            chosen = await signer_store.language(self.db, person, stale) or ""
            self._languages[person] = chosen
        return self.i18n.resolve(chosen or None, telegram_code)

    def knows_language(self, person: str) -> bool:
        """Whether the person's language is cached (else their next transaction reads it)."""
        return person in self._languages

    def learned_language(self, person: str, chosen: str | None) -> None:
        """The person's stored language, read in one of their transactions (bot.core.erasure):
        the update's translator needs no read of its own."""
        self._languages[person] = chosen or ""

    def remember_language(self, person: str, language: str) -> None:
        """After bot.core.choices.set_language stored it."""
        self._languages[person] = language
        self.changed.add("languages")

    def forget_language(self, person: str) -> None:
        self._languages.pop(person)
        self.changed.add("languages")

    def drop_languages(self) -> None:
        """Another worker changed someone's language: each is read again when needed."""
        self._languages.clear()

    def trail_due(self, person: str, bot: int) -> bool:
        """Whether this person's conversation needs a `trail` write now: the first message,
        then at most hourly (the row expires 48 hours after the last write, so at worst an
        hour early — never later than Telegram allows deleting). The memory of the last write
        lasts only minutes, so a person back after a pause is written again."""
        now = self.now()
        written = dict(self._trail_written.get(person) or ())
        last = written.get(bot)
        if last is not None and now - last < 3600:
            return False
        written[bot] = now
        self._trail_written[person] = tuple(written.items())
        return True

    async def recent(
        self, key: tuple[Hashable, ...], compute: Callable[[], Awaitable[T]], ttl: int = 30
    ) -> T:
        """A value at most `ttl` seconds old. Counting a large campaign's public names takes
        the database thread for tens of milliseconds, so the list's most pressed page must
        not do it on every press (measured in bench/scale.py)."""
        now = self.now()
        cached = self._recent.get(key)
        if cached is not None and now - cached[0] < ttl:
            value: T = cached[1]
            return value
        if len(self._recent) > 10_000:
            self._recent.clear()
        value = await compute()
        self._recent[key] = (now, value)
        return value

    def forget_recent(self) -> None:
        """After an organiser's decision the list must show it at once, not 30 seconds later."""
        self.drop_recent()
        self.changed.add("lists")

    def drop_recent(self) -> None:
        self._recent.clear()

    def forget_trail(self, person: str, bot: int) -> None:
        """The memory of the chat with `bot` alone (its notes written or owed)."""
        written = tuple(w for w in self._trail_written.pop(person) or () if w[0] != bot)
        if written:
            self._trail_written[person] = written
        owed = tuple(note for note in self._trail_owed.pop(person, ()) if note[0] != bot)
        if owed:
            self._trail_owed[person] = owed

    def owe_trail(self, person: str, notes: tuple[TrailNote, ...]) -> None:
        """Trail notes the update owes the database (again, when a transaction that carried
        them failed)."""
        if notes:
            self._trail_owed[person] = (*self._trail_owed.get(person, ()), *notes)

    def take_trail_owed(self, person: str) -> tuple[TrailNote, ...]:
        """The trail notes owed for the person, no longer owed once taken."""
        return self._trail_owed.pop(person, ())

    async def translator_for(self, user: Any) -> Translator:
        """The Translator for a telegram.User (or None: the default language)."""
        if user is None:
            return self.i18n.get(None)
        person = self.known_person(user.id)
        if person is None:
            return self.i18n.get(self.i18n.resolve(None, user.language_code))
        return self.i18n.get(await self.language_of(person, user.language_code))
