"""Everything a flow handler needs for one incoming event, and the replies it builds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import Translator, translator
from budgeting.models import Participant, Round
from budgeting.phases import Phase, current_phase
from budgeting.services.participants import Conversation
from dialogs.types import Button, Incoming, Reply

ButtonRow = Button | Sequence[Button]


@dataclass
class Context:
    """One participant's turn: session, who they are, where they are, what to answer."""

    session: AsyncSession
    incoming: Incoming
    participant: Participant
    state: Conversation
    now: datetime
    audiences: tuple[str, ...]
    round: Round | None = None
    public_url: str = ""
    """Where this server is reached from outside (``Settings.public_url``): published
    files are linked under it."""
    replies: list[Reply] = field(default_factory=list)
    forgotten: bool = False
    interrupted: str | None = None

    @property
    def t(self) -> Translator:
        """The participant's translator."""
        return translator(self.participant.locale)

    def _(self, message: str) -> str:
        """Translate ``message`` into the participant's language."""
        return self.t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the right plural form for ``n``."""
        return self.t.ngettext(singular, plural, n)

    def say(
        self,
        text: str,
        buttons: Sequence[ButtonRow] = (),
        image: str | None = None,
        replaces_previous: bool = False,
    ) -> None:
        """Queue a reply; each entry of ``buttons`` is a button or a row of buttons."""
        rows = tuple((entry,) if isinstance(entry, Button) else tuple(entry) for entry in buttons)
        self.replies.append(
            Reply(
                text=text,
                buttons=rows,
                image=image,
                rtl=self.t.rtl,
                replaces_previous=replaces_previous,
            )
        )

    @property
    def phase(self) -> Phase:
        """The current phase of the participant's round."""
        assert self.round is not None
        return current_phase(self.round, self.now)

    def goto(self, flow: str | None, step: str | None = None, **data: Any) -> None:
        """Move the conversation to ``flow``/``step`` with fresh ``data``."""
        self.state.flow = flow
        self.state.step = step
        self.state.data = dict(data)

    def update(self, step: str | None = None, **data: Any) -> None:
        """Stay in the flow, change step and/or add data."""
        if step is not None:
            self.state.step = step
        self.state.data = {**(self.state.data or {}), **data}

    def clear(self) -> None:
        """Leave any flow."""
        self.goto(None)

    def in_step(self, flow: str, *steps: str) -> bool:
        """True if the conversation is in ``flow`` (and one of ``steps`` if given)."""
        return self.state.flow == flow and (not steps or self.state.step in steps)

    def date(self, moment: datetime) -> str:
        """A moment in the round's time zone and the participant's locale."""
        zone = self.round.timezone if self.round else "Europe/Stockholm"
        return self.t.datetime(moment, zone)
