"""Every path that deletes or overwrites personal data, in one place.

An erasure is real only once the old copies have left SQLite's journal too, so each path here
ends with the journal purge and answers honestly whether it got that far (a reader in the
way: the periodic clean-up finishes it within ten minutes). Handlers, jobs and the broadcast
runner erase only through these functions; storage's deleting statements are called from
nowhere else (tests/privacy/test_erasure_paths.py drives every path and reads the files' bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.config import draft_lifetime
from bot.core import people, trail
from bot.core.services import Services
from bot.domain.broadcasts import Recipient
from bot.domain.lookalikes import public_skeleton
from bot.domain.reports import REPORT_DAYS
from bot.domain.signatures import Confirmed, ConfirmResult, Draft
from bot.storage import broadcasts as broadcast_store
from bot.storage import drafts as draft_store
from bot.storage import groups as group_store
from bot.storage import reports as report_store
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store
from bot.storage import trail as trail_store
from bot.storage.funnel import Event


@dataclass(frozen=True)
class Erased:
    """What an erasure did: rows erased, whether the journal no longer holds them, and
    whether the database server keeps copies beyond the bot's reach (PostgreSQL)."""

    rows: int
    complete: bool
    server_copies: bool = False  # subclasses' fields follow: pass this one by position too


@dataclass(frozen=True)
class Anonymised(Erased):
    """Retention of one campaign: `rows` signatures deleted, `subscriptions` erased."""

    subscriptions: int = 0


NOTHING = Erased(0, True)


async def _finish(svc: Services, rows: int) -> Erased:
    """The last step of every erasure: the journal purge."""
    return Erased(rows, await svc.db.purge_wal(), svc.db.keeps_copies)


# -- supporters: withdraw, edit, /stop, "Stop updates", a block, cancel, expiry ------------


async def replace_draft(
    svc: Services, expected: Draft | None, draft: Draft, events: Iterable[Event] = ()
) -> bool:
    """Every draft write (compare-and-set against `expected`, see bot.core.drafts). When it
    overwrites a name, role or organisation the person typed earlier, the old value must not
    wait in the journal until the periodic clean-up: the write ends with the purge."""
    stale = svc.now() - draft_lifetime(svc.settings)
    written = await draft_store.replace_if(svc.db, expected, draft, events, stale_before=stale)
    if written and _overwrites_typed_text(expected, draft):
        await _finish(svc, 1)
    return written


R = TypeVar("R")


async def _for_person(svc: Services, person: str, work: Callable[[Any], R]) -> R:
    """`work` in one write transaction that also carries what the update owes for the person:
    the trail note the update found due (bot.core.trail.owe) and, when it is not cached, the
    read of their language, before `work` changes anything (where a handler's translator
    would have read it first). So an update that writes costs one round trip. `work` writes
    only the person's rows and counts: it runs beside other signers' (Database.atomic's
    `shared`)."""
    owed = svc.take_trail_owed(person)
    learn = not svc.knows_language(person)
    stale = svc.now() - draft_lifetime(svc.settings)

    def carrying(conn: Any) -> tuple[R, str | None]:
        trail.write_owed(svc, conn, person, owed)
        chosen = signer_store.language_in(conn, person, stale) if learn else None
        return work(conn), chosen

    try:
        result, chosen = await svc.db.atomic(carrying, shared=True)
    except BaseException:
        svc.owe_trail(person, owed)  # still owed: the update's end writes it
        raise
    if learn:
        svc.learned_language(person, chosen)
    return result


# What a draft change decides from the live draft (and reads in its transaction): its result,
# and the next draft with the events it counts (None: nothing to write).
Decided = tuple[R, Draft | None, Iterable[Event]]


async def change_draft(
    svc: Services, person: str, decide: Callable[[Any, Draft | None], Decided[R]]
) -> tuple[R, bool]:
    """A step of the flow in one round trip: the person's live draft is read, `decide` (which
    may read more through the connection it gets, and must not touch the event loop) makes
    the next one, and it is written by compare-and-set in the same transaction, as
    `replace_draft` writes. `decide` writes nothing but counts: the step runs beside other
    signers' steps (Database.atomic's `shared`). Returns `decide`'s result and whether the
    draft was written."""
    now, lifetime = svc.now(), draft_lifetime(svc.settings)

    def work(conn: Any) -> tuple[R, Draft | None, Draft | None, bool]:
        found = draft_store.read(conn, person, now, lifetime)
        result, new, events = decide(conn, found)
        if new is None:
            return result, found, None, False
        return result, found, new, draft_store.put_if(conn, found, new, events, now - lifetime)

    result, found, new, written = await _for_person(svc, person, work)
    if written and new is not None and _overwrites_typed_text(found, new):
        await _finish(svc, 1)
    return result, written


def _overwrites_typed_text(old: Draft | None, new: Draft) -> bool:
    if old is None:
        return False
    typed = ((old.name, new.name), (old.role, new.role), (old.organisation, new.organisation))
    return any(before and before != after for before, after in typed)


async def withdraw(svc: Services, user_id: int, campaign: str) -> Erased:
    """The person's signature in `campaign`, its subscription and pending deliveries; with
    the last signature, their preferences too."""
    signer, subscriber = svc.signer(user_id, campaign), svc.subscriber(user_id, campaign)
    if not await signature_store.erase(svc.db, campaign, signer, subscriber, svc.now()):
        return NOTHING
    rows = 1
    if not await people.signatures_of(svc, user_id):
        person = svc.person(user_id)
        rows += await signer_store.forget_preferences(svc.db, person)
        svc.forget_language(person)
    return await _finish(svc, rows)


@dataclass(frozen=True)
class Signed:
    """What a sign button did in its one transaction: the live draft it found, the outcome
    (None: `choose` refused that draft, nothing was written), and what the thanks shows."""

    found: Draft | None
    result: ConfirmResult | None = None
    counter: signature_store.Counter | None = None
    auto_clean: bool = False


async def sign_live(
    svc: Services,
    user_id: int,
    slug: str,
    choose: Callable[[Draft | None], Draft | None],
    language: str,
    consent: Callable[[Draft], tuple[bool, bool]],
    version: str,
) -> Signed:
    """A sign button in one round trip: the person's live draft is read, `choose` makes of it
    the draft to record (or refuses it), which becomes their signature if the stored draft is
    still the one read (compare-and-set), with the counter and the clean-up choice the thanks
    needs. `consent` gives (list, web) consent of the draft recorded. An edit overwrites the
    old name, role, organisation and visibility, so it ends with the journal purge."""
    person, now = svc.person(user_id), svc.now()
    signer, seal, block = svc.signer(user_id, slug), svc.sealer(user_id), svc.block(user_id)
    lifetime = draft_lifetime(svc.settings)

    def work(conn: Any) -> Signed:
        found = draft_store.read(conn, person, now, lifetime)
        draft = choose(found)
        if draft is None:
            return Signed(found)
        listed, on_web = consent(draft)
        result = signature_store.record(
            conn,
            draft,
            signer=signer,
            seal=seal(),
            block=block,
            language=language,
            now=now,
            stored=found,
            list_consent=listed,
            skeleton=public_skeleton(draft.name, bool(draft.public)),
            version=version,
            web_consent=on_web,
        )
        if result.signature is None or result.outcome in (Confirmed.NO_DRAFT, Confirmed.BLOCKED):
            return Signed(found, result)
        counter = signature_store.read_counter(conn, slug, now)
        return Signed(
            found, result, counter, trail_store.auto_clean_in(conn, person, now - lifetime)
        )

    signed = await _for_person(svc, person, work)
    if signed.result is not None and signed.result.outcome is Confirmed.UPDATED:
        await _finish(svc, 1)
    return signed


async def stop_updates(svc: Services, user_id: int, campaign: str) -> Erased:
    """The "Stop updates" button: this subscription (its sealed chat id) and its deliveries."""
    subscriber = svc.subscriber(user_id, campaign)
    return await _finish(svc, await signer_store.unsubscribe(svc.db, [(campaign, subscriber)]))


async def stop_all_updates(svc: Services, user_id: int) -> Erased:
    """/stop, and the clean-up's "and stop all updates": every subscription of the person (and
    so every sealed chat id, pending deliveries included). Their choices stay."""
    rows = await signer_store.unsubscribe(svc.db, await svc.subscriptions_of(user_id))
    return await _finish(svc, rows)


async def forget_person(svc: Services, user_id: int, bot: int) -> Erased:
    """The person blocked `bot`: what lives in that chat goes — the subscriptions it delivers
    (so every sealed chat id, deliveries included), the draft shown there, where the
    conversation began. With no other official bot, every subscription and preference too.
    With others the person may still use them (a reserve, when this one was blocked or
    misused): their subscriptions there, that chat's trail and their choices (automatic
    clean-up above all) stay theirs. Signatures stay."""
    person = svc.person(user_id)
    theirs = await svc.subscriptions_of(user_id)
    if _alone(svc, bot):
        rows = await signer_store.forget_chat(svc.db, theirs, person, None)
        svc.forget_language(person)
    else:
        routed = await signer_store.routed_through(svc.db, theirs, bot)
        rows = await signer_store.forget_chat(svc.db, routed, person, bot)
    return await _finish(svc, rows)


def _alone(svc: Services, bot: int) -> bool:
    """Whether `bot` is the only official bot the database knows."""
    return all(known.id == bot for known in svc.bots)


async def auto_clean_off(svc: Services, person: str) -> Erased:
    """Automatic clean-up switched off: the default needs no row, so a preference (or a
    visitor's draft row) holding nothing else goes instead of saying that this person used
    the bot; elsewhere the field is cleared."""
    now, ttl = svc.now(), draft_lifetime(svc.settings)
    rows = await trail_store.auto_clean_off(svc.db, person, now)
    rows += await draft_store.choose(svc.db, person, now, ttl, auto_clean=False)
    return await _finish(svc, rows) if rows else NOTHING


async def drop_draft(svc: Services, person: str, cancelled: bool) -> Erased:
    """The person's draft and what they typed into it: /cancel (counted in the funnel as
    cancelled), or a campaign that closed while they were signing."""
    event = Event.CANCELLED if cancelled else None
    if not await draft_store.delete(svc.db, person, svc.now(), event):
        return NOTHING
    return await _finish(svc, 1)


async def forget_trail(svc: Services, person: str, bot: int) -> Erased:
    """After a clean-up of the chat with `bot`: where that conversation began is no longer
    needed; the person's chats with the other bots are cleaned by those bots, from theirs."""
    await trail_store.forget(svc.db, person, bot)
    svc.forget_trail(person, bot)
    return await _finish(svc, 1)


async def expire(svc: Services) -> Erased:
    """The periodic clean-up: drafts past their lifetime, conversations' trails once Telegram
    no longer lets the bot delete them, readers' reports past REPORT_DAYS, and the journal purge that finishes any erasure that
    found a reader in the way."""
    now = svc.now()
    persons = await draft_store.expire(svc.db, now, draft_lifetime(svc.settings))
    for person in persons:  # a visitor's language went with their draft
        svc.forget_language(person)
    rows = len(persons)
    rows += await trail_store.expire(svc.db, now, trail.keep(svc.settings))
    rows += await broadcast_store.cancel_forgotten(svc.db, now)  # an admin's raw id
    rows += await report_store.expire(svc.db, now - REPORT_DAYS * 86400)  # readers' reports
    return await _finish(svc, rows)


# -- organisers: remove, block, retention, anonymisation, a group's removal ----------------


@dataclass(frozen=True)
class Removed(Erased):
    """/remove or /block: `blocked` only when a block was recorded (it needs the seal)."""

    blocked: bool = False


async def remove(
    svc: Services, campaign: str, signer: str, seal: str | None, block: bool
) -> Removed:
    """/remove (and /block): the signature, its subscription and pending deliveries; a block
    keeps only the person's block id, recovered from the signature's seal."""
    base = svc.ids.unseal(seal)
    subscriber = signer if base is None else svc.ids.subscriber_of(base, campaign)
    erased = await signature_store.erase(
        svc.db, campaign, signer, subscriber, svc.now(), removed=True
    )
    blocked = block and base is not None
    if blocked and base is not None:
        await signer_store.block(svc.db, svc.ids.block_of(base), svc.now())
    done = await _finish(svc, int(erased))
    return Removed(done.rows, done.complete, done.server_copies, blocked)


async def purge(svc: Services, campaign: str, start: int, end: int) -> Erased:
    """/purge, approved: every signature of `campaign` made in [start, end) (a wave of spam),
    each with its subscription and pending deliveries, as /remove would; one journal purge at
    the end."""
    rows = 0
    for number in await signature_store.numbers_between(svc.db, campaign, start, end):
        found = await signature_store.by_number(svc.db, number)
        if found is None:  # withdrawn meanwhile
            continue
        _, signer, seal = found
        base = svc.ids.unseal(seal)
        subscriber = signer if base is None else svc.ids.subscriber_of(base, campaign)
        rows += await signature_store.erase(svc.db, campaign, signer, subscriber, svc.now())
    return await _finish(svc, rows) if rows else NOTHING


async def anonymise(svc: Services, campaign: str) -> Anonymised:
    """Retention: the campaign's signatures (every column of them: names, pseudonyms, the
    second of signing, language, source, review state) and its subscriptions; only the
    counter and the hourly activity stay."""
    signatures, subscriptions = await signature_store.anonymise(svc.db, campaign)
    finished = await _finish(svc, signatures)
    return Anonymised(signatures, finished.complete, finished.server_copies, subscriptions)


async def expire_preferences(svc: Services, before: int) -> Erased:
    """Retention: preferences untouched since `before` (they say that someone used the bot)."""
    rows = await signer_store.expire_preferences(svc.db, before)
    return await _finish(svc, rows) if rows else NOTHING


async def forget_group_language(svc: Services, chat_id: int) -> Erased:
    """/language default: the group's administrators cleared its language."""
    return await _finish(svc, await group_store.forget(svc.db, chat_id))


async def forget_group(svc: Services, chat_id: int) -> Erased:
    """The bot was removed from a group: its settings, and its id in the source of the links
    posted there (whose title stays, for attribution)."""
    rows = await group_store.forget(svc.db, chat_id)
    rows += await group_store.forget_source(svc.db, chat_id)
    return await _finish(svc, rows)


# -- broadcasts: delivery rows once a broadcast has ended ----------------------------------


async def cancel_broadcast(svc: Services, broadcast_id: int) -> Erased:
    """A draft dropped (by its admin, or forgotten past its hour): it can no longer be sent,
    and its admin's raw id goes."""
    cancelled = await broadcast_store.cancel(svc.db, broadcast_id, svc.now())
    return await _finish(svc, int(cancelled))


async def cancel_forgotten_broadcasts(svc: Services) -> Erased:
    """Every draft left unconfirmed past its hour, with its admin's raw id. Asked before each
    new draft, so it purges the journal only when it found one (the periodic clean-up in
    `expire` catches the rest)."""
    rows = await broadcast_store.cancel_forgotten(svc.db, svc.now())
    return await _finish(svc, rows) if rows else Erased(0, True)


async def finish_broadcast(svc: Services, broadcast_id: int) -> Erased:
    """A broadcast sent to everyone: its delivery rows (sealed chat ids) and its admin's id go;
    the counts stay."""
    return await _finish(svc, await broadcast_store.finish(svc.db, broadcast_id, svc.now()))


async def recipient_blocked(svc: Services, broadcast_id: int, recipient: Recipient) -> Erased:
    """A recipient who blocked the bot (or whose account is gone): the delivery is recorded
    as failed, and every subscription of theirs that bot delivers goes with its deliveries
    (with one official bot, all of them; a subscription through another bot is found blocked
    by that bot's own send). Their other
    subscriptions are found by their pseudonyms, from the base of the chat id (a private
    chat's id is its user's), computed off the event loop."""
    await svc.prepare(recipient.chat_id)
    theirs = await svc.subscriptions_of(recipient.chat_id)
    if not _alone(svc, recipient.bot):  # blocked that bot only: the others still reach them
        theirs = await signer_store.routed_through(svc.db, theirs, recipient.bot)
    rows = await broadcast_store.mark_blocked(svc.db, broadcast_id, recipient.subscriber, theirs)
    return await _finish(svc, rows)
