"""The Microsoft Teams channel (medarbetarbudget) on the Microsoft 365 Agents SDK 1.9.

``POST /api/messages`` receives Bot Connector activities; each message becomes an Incoming
for the dialog engine and its Replies go back through the connector (text with suggested
actions, or Adaptive Cards, see ``bot.channels.teams.cards``). Users are known by their Entra object
id. Before anything is stored, the user's tenant must be one of the configured tenants and
the chat must be a personal (1:1) one. Each message's conversation reference is stored on
the user's channel identity so that ``send`` can reach them later (reminders).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import ClientError, ClientResponseError
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from microsoft_agents.activity import Activity, ActivityTypes, ConversationReference
from microsoft_agents.hosting.core import (
    ActivityHandler,
    AuthenticationConstants,
    ClaimsIdentity,
    TurnContext,
)
from pydantic import ValidationError

from bot.channels.contract import DeliveryGuard, Guards, SendOutcome, TurnHandler
from bot.channels.pacing import RateLimiter, RateLimits
from bot.channels.teams.activity import (
    is_personal,
    stored_reference,
    tenants_of,
    update_key,
    user_id_of,
)
from bot.channels.teams.auth import (
    TeamsConfig,
    auth_configuration,
    authenticate,
    cloud_adapter,
    local_caller,
    service_url_matches,
    teams_enabled,
)
from bot.channels.teams.cards import reply_activity, submitted_payload
from bot.channels.webhooks import Webhook
from budgeting.i18n import _, translator
from budgeting.services.reachability import Reachability
from dialogs.types import Incoming, Reply

log = logging.getLogger(__name__)

CHANNEL = "teams"
ROUTE = "/api/messages"
UNREACHABLE_STATUSES = frozenset({403, 404, 410})  # blocked, uninstalled, conversation gone

OTHER_TENANT = _(
    "Sorry, this budget is only for employees of the organisations taking part. Your "
    "Microsoft 365 organisation is not one of them, so nothing about you has been stored."
)
NOT_PERSONAL = _(
    "Please write to me in a one-to-one chat. Ideas and ballots are personal, so I do not "
    "take part in group chats or channels."
)
UNKNOWN_USER = _(
    "I could not tell who you are. Please open the app in Microsoft Teams with your work account."
)
TURN_FAILED = _("Sorry, something went wrong on our side. Please try again in a moment.")


def plain(text: str) -> Activity:
    """A plain-text message."""
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


TEAMS_LIMITS = RateLimits(
    overall_per_second=20.0,
    overall_burst=1,
    receiver_window=False,
    per_recipient_per_second=20.0,
    per_recipient_burst=20,
)
"""Proactive messages one every 50 ms, under the Bot Connector's limits, however long each
send takes."""


class _TeamsAgent(ActivityHandler):
    """The SDK-facing agent: messages go to the channel, other activities are ignored."""

    def __init__(self, channel: TeamsChannel) -> None:
        self.channel = channel

    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        await self.channel.on_message(turn_context)


class TeamsChannel:
    """Microsoft Teams: ``POST /api/messages``, replies through the Bot Connector, reminders."""

    name = CHANNEL

    def __init__(
        self,
        config: TeamsConfig,
        turns: TurnHandler,
        reachability: Reachability,
        pacer: RateLimiter,
        guards: Guards | None = None,
    ) -> None:
        self.config = config
        self.turns = turns
        self.reachability = reachability
        self.guards = guards
        """The reply outbox's guards: a turn's replies stay stored until Teams took them."""
        self.auth = auth_configuration(self.config)
        self.adapter = cloud_adapter(self.auth)
        self.adapter.on_turn_error = self._on_turn_error
        self.agent = _TeamsAgent(self)
        self.limiter = pacer
        """Paces proactive messages (the rate limiter Telegram's sender uses too)."""

    # --- the Channel contract ---------------------------------------------------------------

    def mount(self, app: FastAPI) -> None:
        """Add ``POST /api/messages``, answered ahead of the staff app (1 MB at most)."""
        app.add_middleware(Webhook, path=ROUTE, endpoint=self.receive)

    async def connect(self) -> None:
        """Nothing to prepare: Microsoft calls us."""
        mode = "anonymous local mode" if self.config.anonymous else "JWT validation on"
        log.info("Teams channel on %s (%s)", ROUTE, mode)

    async def listen(self) -> None:
        """Webhook channel: returns at once."""

    async def disconnect(self) -> None:
        """Nothing held open: connector clients live for one turn."""

    async def send(
        self,
        external_id: str,
        replies: list[Reply],
        *,
        address: Mapping[str, Any] | None = None,
        guard: DeliveryGuard | None = None,
    ) -> SendOutcome:
        """Deliver replies proactively: a notification through the stored conversation
        reference, or a turn's stored replies through the one stored with them (the
        first meant to replace the pressed card updates it)."""
        address = address or {}
        reference = parse_reference(address.get("reference")) or await self._reference(external_id)
        if reference is None:
            if guard is not None:
                await guard.finish(SendOutcome.UNREACHABLE)
            return SendOutcome.UNREACHABLE
        card = address.get("card")
        errors: list[BaseException] = []

        async def deliver(context: TurnContext) -> None:
            try:
                await self._answer(
                    context, replies, card if isinstance(card, str) else None, guard, external_id
                )
            except Exception as error:  # noqa: BLE001 - the outcome says what happened
                errors.append(error)

        continuation = reference.get_continuation_activity()
        continuation.id = None  # a new message, not a reply to an invented one
        try:
            if self.config.anonymous:
                await self.adapter.continue_conversation_with_claims(
                    ClaimsIdentity(),
                    continuation,
                    deliver,
                    audience=AuthenticationConstants.AGENTS_SDK_SCOPE,
                )
            else:
                await self.adapter.continue_conversation(self.config.app_id, continuation, deliver)
        except Exception as error:  # noqa: BLE001 - token or connector failure
            errors.append(error)
        outcome = send_outcome(errors)
        if guard is not None:
            await guard.finish(outcome)
        return outcome

    # --- inbound ------------------------------------------------------------------------------

    async def receive(self, request: Request) -> Response:
        """``POST /api/messages``: authenticate, then let the SDK run the turn."""
        if self.config.anonymous and not local_caller(request):
            log.warning("Teams request refused: local mode answers loopback only (no app id)")
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        claims = await authenticate(self.auth, request.headers.get("Authorization"))
        if claims is None:
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "invalid JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "invalid activity"}, status_code=400)
        if not service_url_matches(claims, body.get("serviceUrl")):
            log.warning("Teams request refused: service URL differs from the token's")
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        request.state.claims_identity = claims
        try:
            return await self.adapter.process(request, self.agent)
        except ValidationError:
            return JSONResponse({"error": "invalid activity"}, status_code=400)

    async def on_message(self, context: TurnContext) -> None:
        """One message: check who and where, run the dialogs, remember the conversation."""
        activity = context.activity
        user_id = user_id_of(activity, self.config.anonymous)
        refusal = self._refusal(activity, user_id)
        if refusal is not None or user_id is None:
            text = translator(activity.locale).gettext(refusal or UNKNOWN_USER)
            await context.send_activity(plain(text))
            return
        payload = submitted_payload(activity.value)
        reference = stored_reference(activity)
        card_pressed = activity.reply_to_id if payload is not None else None
        incoming = Incoming(
            channel=CHANNEL,
            user_id=user_id,
            text=None if payload is not None else activity.text,
            payload=payload,
            display_name=activity.from_property.name if activity.from_property else None,
            locale_hint=activity.locale,
            update_key=update_key(activity),
            reply_address={"reference": reference, "card": card_pressed},
        )
        replies = await self.turns(incoming)
        await self.reachability.remember_conversation(user_id, reference)
        key = incoming.update_key
        if self.guards is None or key is None or not replies:
            await self._answer(context, replies, card_pressed)
            return
        guard = self.guards(CHANNEL, key)
        try:
            await self._answer(context, replies, card_pressed, guard)
        except Exception as error:  # noqa: BLE001 - stored: sent again later, proactively
            log.warning("Teams reply not sent (%s); it will be tried again", type(error).__name__)
            await guard.finish(SendOutcome.FAILED)
        else:
            await guard.finish(SendOutcome.SENT)

    def _refusal(self, activity: Activity, user_id: str | None) -> str | None:
        """Why this message must not reach the dialogs (nothing is stored), or None."""
        if self.config.tenant_ids:
            tenants = tenants_of(activity)
            if not tenants or not tenants <= set(self.config.tenant_ids):
                log.info("Teams message refused: tenant not allowed")
                return OTHER_TENANT
        if not is_personal(activity):
            return NOT_PERSONAL
        if user_id is None:
            log.info("Teams message refused: no Entra object id")
            return UNKNOWN_USER
        return None

    async def _answer(
        self,
        context: TurnContext,
        replies: Sequence[Reply],
        card_pressed: str | None,
        guard: DeliveryGuard | None = None,
        paced_for: str | None = None,
    ) -> None:
        """Send the replies; the first one meant to replace the pressed card updates it.

        With a ``guard`` the messages it already counts are skipped and each one is
        recorded once Teams took it; ``paced_for``: proactive, within the rate limits.
        """
        skip = guard.delivered if guard is not None else 0
        for number, reply in enumerate(replies, start=1):
            activity = reply_activity(reply)
            target = card_pressed if reply.replaces_previous else None
            if target:
                card_pressed = None
            if number <= skip:
                continue

            async def show(activity: Activity = activity, target: str | None = target) -> None:
                if paced_for is not None:
                    await self.limiter.acquire(paced_for)
                try:
                    if not (target and await self._update(context, activity, target)):
                        await context.send_activity(activity)
                finally:
                    if paced_for is not None:
                        self.limiter.answered()

            if guard is None:
                await show()
            else:
                await guard.one(show, last=number == len(replies))

    async def _update(self, context: TurnContext, activity: Activity, target: str) -> bool:
        """Replace message ``target`` with ``activity``; False if Teams would not."""
        activity.id = target
        try:
            await context.update_activity(activity)
        except (ClientError, ValueError) as error:
            log.info("Teams card not updated in place (%s); sent anew", type(error).__name__)
            activity.id = None
            return False
        return True

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """Log without personal data (no message text), apologise to the user."""
        log.error(
            "Teams turn failed: %s\n%s",
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        text = translator(context.activity.locale).gettext(TURN_FAILED)
        try:
            await context.send_activity(plain(text))
        except Exception as failure:  # noqa: BLE001 - nothing more to do
            log.warning("Teams apology not sent: %s", type(failure).__name__)

    # --- conversation references --------------------------------------------------------------

    async def _reference(self, external_id: str) -> ConversationReference | None:
        """The stored conversation reference of a Teams user, if any."""
        return parse_reference(await self.reachability.conversation_of(external_id))


def parse_reference(stored: object) -> ConversationReference | None:
    """A conversation reference stored as JSON, or None if there is none or it is unreadable."""
    if not isinstance(stored, dict):
        return None
    try:
        return ConversationReference.model_validate(stored)
    except ValidationError:
        log.warning("Teams conversation reference unreadable")
        return None


def send_outcome(errors: Sequence[BaseException]) -> SendOutcome:
    """SENT, UNREACHABLE (blocked, uninstalled, gone) or FAILED (try again later)."""
    if not errors:
        return SendOutcome.SENT
    error = errors[0]
    if isinstance(error, ClientResponseError) and error.status in UNREACHABLE_STATUSES:
        return SendOutcome.UNREACHABLE
    status = error.status if isinstance(error, ClientResponseError) else "-"
    log.warning("Teams send failed: %s (HTTP %s)", type(error).__name__, status)
    return SendOutcome.FAILED


__all__ = ["CHANNEL", "ROUTE", "TeamsChannel", "send_outcome", "teams_enabled"]
