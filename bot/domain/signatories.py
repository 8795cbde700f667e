"""Who appears by name, and where: the bot's own signatory list and the documents handed over.

A name is public only when its signer chose so. On top of that choice:
- signatures made before the bot had its own list agreed to the documents only, so the bot
  lists them only once the organisers set `list_earlier_signatures`;
- with `review_public_names`, a name appears anywhere only after an organiser approved it;
- a name that looked like another public name when it was signed (bot.domain.lookalikes)
  appears only once approved, with review on or off;
- an organiser can hide a name from both without removing the signature (it still counts);
- the public web page (bot.site) lists a name only where the campaign publishes its list there
  and the signer agreed to that on the preview (`web_consent`), or, for signatures made before,
  once the organisers set `list_earlier_on_web`: a name on the open web may outlive its
  withdrawal in copies the bot cannot reach.
The storage layer turns a `Listing` into its WHERE clause; nothing else decides this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.campaigns import Campaign


class Review(StrEnum):
    """The organisers' decision on a public name; stored as its value."""

    WAITING = "waiting"  # not looked at yet (new, or edited since it was looked at)
    APPROVED = "approved"
    HIDDEN = "hidden"  # kept out of the list and the documents; the signature still counts


class Place(StrEnum):
    """Where a public name can appear."""

    BOT = "bot"  # the list anyone can read in the bot (/signatories, 👥 Who signed)
    DOCUMENTS = "documents"  # the PDF and the plain list handed to the addressees
    WEB = "web"  # the published site's list (bot.site), for anyone on the open web


@dataclass(frozen=True)
class Listing:
    """A campaign's rule for showing public names."""

    in_bot: bool = True  # `signatories` in campaign.toml
    reviewed: bool = False  # `review_public_names`
    earlier: bool = False  # `list_earlier_signatures`
    on_web: bool = False  # `web_signatories`: the published site lists names
    web_earlier: bool = False  # `list_earlier_on_web`

    @classmethod
    def of(cls, campaign: Campaign) -> Listing:
        return cls(
            in_bot=campaign.signatories,
            reviewed=campaign.review_public_names,
            earlier=campaign.list_earlier_signatures,
            on_web=campaign.web_signatories,
            web_earlier=campaign.list_earlier_on_web,
        )

    @property
    def promise(self) -> str:
        """What a preview told the signer about their public name, as one digit for the sign
        button: no list in the bot, the list, or the list after a review; 3 more when the
        name also goes on the public web page. A signature is recorded only under the
        promise its signer read."""
        base = 0 if not self.in_bot else 2 if self.reviewed else 1
        return str(base + (3 if self.on_web else 0))

    def reviews_shown(self) -> tuple[Review, ...]:
        """The review states whose names appear (anywhere)."""
        return (Review.APPROVED,) if self.reviewed else (Review.WAITING, Review.APPROVED)

    def needs_consent(self, place: Place) -> bool:
        """Whether only signatures that agreed to `place` on their preview may appear there."""
        if place is Place.BOT:
            return not self.earlier
        return place is Place.WEB and not self.web_earlier

    def lists_at(self, place: Place) -> bool:
        """Whether the campaign shows any name at `place`."""
        return {Place.BOT: self.in_bot, Place.WEB: self.on_web}.get(place, True)

    def shows(
        self, place: Place, public: bool, review: Review, consent: bool, lookalike: bool = False
    ) -> bool:
        """The rule for one signature (`consent`: what it agreed to for `place`, the bot's
        list or the web); the SQL in bot.storage.signatories says the same."""
        if not self.lists_at(place):
            return False
        if not public or review not in self.reviews_shown():
            return False
        if lookalike and review is not Review.APPROVED:
            return False
        return consent or not self.needs_consent(place)

    def queued(self, review: Review, lookalike: bool) -> bool:
        """Whether a public name waits in /review: every new one with review, only a
        look-alike without it."""
        return review is Review.WAITING and (self.reviewed or lookalike)


@dataclass(frozen=True)
class Entry:
    """One public signatory as the letter lists them, with its place in signing order."""

    position: int  # 1 for the first public name, in signing order
    number: int  # the signature number: for organisers (review, /hide), never for supporters
    name: str
    role: str | None
    organisation: str | None


@dataclass(frozen=True)
class Window:
    """What a page button asks for: the names after position `after` (0: the first page), or
    the ones just before position `upto` (paging back); `fetch` names are read for a page."""

    fetch: int
    after: int = 0
    upto: int | None = None

    def clamped(self, listed: int) -> tuple[int, int, bool]:
        """(how many names to skip, how many to read, whether the page is filled from its
        end) within a list of `listed` names. Positions come from the client, so a button
        past the end (forged, or names withdrawn since) reads the last page, never more."""
        upto = self.upto
        if upto is None and self.after >= listed > 0:
            upto = listed + 1
        if upto is not None and upto > 1:
            upto = min(upto, listed + 1)
            start = max(0, upto - 1 - self.fetch)
            return start, upto - 1 - start, True
        return min(self.after, listed), self.fetch, False


@dataclass(frozen=True)
class Page:
    """A page of the public list and where it sits in the whole."""

    entries: tuple[Entry, ...]
    listed: int  # public names in the list
    waiting: int  # public names an organiser has not checked yet (with review only)
    others: int  # every other signature: counted, without a name in the list

    @property
    def has_before(self) -> bool:
        return bool(self.entries) and self.entries[0].position > 1

    @property
    def has_after(self) -> bool:
        return bool(self.entries) and self.entries[-1].position < self.listed
