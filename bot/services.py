"""What every handler needs, assembled once by build_application and reached via the context."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain import goals
from bot.domain.campaigns import Campaign, CampaignSet
from bot.domain.signatures import signer_id
from bot.i18n import I18n, Translator
from bot.settings import Settings
from bot.storage import Database
from bot.storage import signatures as signature_store
from bot.storage import signers as signer_store
from bot.views.campaign import Progress


@dataclass
class Services:
    settings: Settings
    db: Database
    i18n: I18n
    campaigns: CampaignSet
    clock: Callable[[], float] = time.time
    bot_username: str = ""
    # signer -> chosen language; saves a read on every update. Bounded by the number of people
    # who ever chose a language, which is small.
    _languages: dict[str, str | None] = field(default_factory=dict)

    def now(self) -> int:
        return int(self.clock())

    def signer(self, user_id: int) -> str:
        return signer_id(self.settings.signer_key, user_id)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    def campaign(self, slug: str) -> Campaign | None:
        return self.campaigns.get(slug)

    async def progress(self, campaign: Campaign) -> Progress:
        """Count (the stored counter), +24 h, and the next goal (an admin's override wins)."""
        count, override, ladder, recent = await signature_store.counter(
            self.db, campaign.slug, self.now()
        )
        steps = ladder or campaign.ladder
        goal = goals.next_goal(count, steps)
        if override and override > count:
            goal = override
        return Progress(count, recent, goal, steps)

    async def language_of(self, signer: str, telegram_code: str | None) -> str:
        if signer not in self._languages:
            if len(self._languages) > 100_000:
                self._languages.clear()
            self._languages[signer] = await signer_store.language(self.db, signer)
        return self.i18n.resolve(self._languages[signer], telegram_code)

    async def set_language(self, signer: str, language: str) -> None:
        await signer_store.set_language(self.db, signer, language)
        self._languages[signer] = language

    async def translator_for(self, user: Any) -> Translator:
        """The Translator for a telegram.User (or None: the default language)."""
        if user is None:
            return self.i18n.get(None)
        language = await self.language_of(self.signer(user.id), user.language_code)
        return self.i18n.get(language)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the Services."""

    @property
    def svc(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
