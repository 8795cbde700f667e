"""Callback data: short, prefixed, versioned, and decoded in exactly one place.

It comes from the client, so it is never trusted: `decode` accepts only known actions with
arguments of the expected shape, and handlers still check the signer's stored state.
Format: `1|<action>|<arg>|<arg>` — at most 64 bytes (Telegram's limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.campaigns import SLUG_PATTERN

VERSION = "1"
MAX_BYTES = 64
_SLUG = SLUG_PATTERN
_INT = r"\d{1,9}"

# action -> pattern of each argument
ACTIONS: dict[str, tuple[str, ...]] = {
    "card": (_SLUG,),  # show a campaign's card
    "older": (_SLUG, r"[0-9a-f]{12}"),  # the earlier text of a campaign whose text changed
    "list": (),  # the list of open campaigns
    "page": (_SLUG, _INT),  # full text page
    "addr": (_SLUG, _INT),  # decision makers page
    "sign": (_SLUG,),  # start (or resume) signing
    "pname": (_SLUG,),  # use the Telegram profile name (or keep the name when editing)
    "noname": (_SLUG,),  # count me without a name (campaigns with `nameless = true`)
    "priv": (_SLUG,),  # the whole privacy notice
    "extras": (_SLUG,),  # add or change role and organisation
    "back": (_SLUG,),  # from role and organisation back to the preview
    # sign: 1 with the name shown publicly, 0 not; then what the preview said about where
    # (bot.domain.signatories.Listing.promise) and the version of the text it showed
    "ok": (_SLUG, r"[01]", r"[0-5]", r"[0-9a-f]{12}"),
    "edit": (_SLUG,),  # edit the draft / an existing signature
    "cancel": (_SLUG,),  # cancel the draft
    "wd": (_SLUG,),  # ask to withdraw
    "wdy": (_SLUG,),  # withdraw, confirmed
    "wdn": (_SLUG,),  # keep the signature
    "notify": (_SLUG, r"[01]"),  # opt in or out of updates
    "stop": (_SLUG,),  # "Stop updates" under a broadcast: the presser's own subscription
    "share": (_SLUG,),
    "shl": (_SLUG,),  # share, picked from the list /share showed: the list gives way to it
    "lang": (),  # language menu
    "setlang": (r"[a-z]{2}",),
    "prog": (_SLUG,),  # progress
    "who": (_SLUG, _INT),  # public signatories after position N in the list (0: the first page)
    "whob": (_SLUG, _INT),  # public signatories just before position N
    "clean": (),  # leave no trace: delete this conversation from the chat
    "cleanall": (),  # the same, and stop the updates of every campaign in one tap
    "cleannote": (),  # delete the clean-up's own note: the chat can end empty
    "auto": (r"[01]",),  # automatic clean-up after signing, on or off
    # a reader reports the name at position N of the public list as theirs, not signed by
    # them; the digest is what they confirmed (bot.domain.reports.entry_digest)
    "nme": (_SLUG, _INT, r"[0-9a-f]{12}"),
    # admin actions: handlers check the presser is an admin, whatever the data says
    # remove (and block) signature number, confirmed; the signature's signed_at refuses a
    # stale button whose signature is gone
    "rm": (_INT, r"\d{1,12}"),
    "blk": (_INT, r"\d{1,12}"),
    "bc": (_INT,),  # send broadcast id, confirmed
    "bcx": (_INT,),  # discard broadcast id
    "no": (),  # dismiss a confirmation
    # four eyes: approve or refuse request id (the presser must be another admin)
    "apy": (_INT,),
    "apn": (_INT,),
    # /purge confirmed (where four eyes are not in force): campaign, window start and end
    "pg": (_SLUG, r"\d{1,12}", r"\d{1,12}"),
    # review of public names: approve the waiting names numbered first..last if they are still
    # exactly what was shown (a digest of them); hide one name (the signature stays)
    "rva": (_INT, _INT, r"[0-9a-f]{12}"),
    "rvh": (_INT,),
    # a campaign being created (bot.domain.authoring): draft id, the revision the button was
    # shown at, the action and its value (a kind, a language, a switch)
    "nc": (_INT, _INT, r"[a-z]{3,8}", r"[a-z_]{0,20}"),
    # a language text waiting for an admin: id, revision, y(apply) or n(refuse)
    "tx": (_INT, _INT, r"[yn]"),
    # a widening switch change waiting for a second admin: id, revision, y(apply) or n(refuse)
    "sw": (_INT, _INT, r"[yn]"),
    # prepare the broadcast that tells a campaign's subscribers its text changed
    "txb": (_SLUG,),
}
_COMPILED = {a: tuple(re.compile(p) for p in pats) for a, pats in ACTIONS.items()}


@dataclass(frozen=True)
class Callback:
    action: str
    args: tuple[str, ...]

    def arg_int(self, index: int) -> int:
        return int(self.args[index])


def encode(action: str, *args: object) -> str:
    parts = [str(a) for a in args]
    data = "|".join([VERSION, action, *parts])
    if decode(data) is None:
        raise ValueError(f"invalid callback data for {action}: {parts}")
    return data


def decode(data: str | None) -> Callback | None:
    """The parsed callback, or None for anything malformed, foreign or from an old version."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split("|")
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    action, args = parts[1], tuple(parts[2:])
    patterns = _COMPILED.get(action)
    if patterns is None or len(patterns) != len(args):
        return None
    if not all(p.fullmatch(a) for p, a in zip(patterns, args, strict=True)):
        return None
    return Callback(action, args)
