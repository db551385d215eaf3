"""A ballot remembers the channel it was cast through, so counts can show ballots per
channel (paper ones are keyed in by staff; see tests/web_admin/test_paper.py)."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.models import Ballot, BallotKind
from budgeting.phases import Phase
from tests.dialogs.test_ballot_kinds import make_kind
from tests.dialogs.transcripts import START_ENGLISH


async def test_each_ballot_keeps_the_channel_it_was_cast_through(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.APPROVAL, min_ranks=1, max_ranks=3)
    for name, channel in (("ann", "console"), ("bo", "telegram")):
        voter = chat(name, channel=channel)
        await voter.run(
            [
                *START_ENGLISH,
                ("/vote", "area"),
                ("1", "0 of 3"),
                ("2", "1 of 3"),
                ("Done", "✓ #2 Utegym"),
                ("Confirm", "your ballot is registered"),
            ]
        )
    async with sessions() as session:
        channels = (await session.scalars(select(Ballot.channel).order_by(Ballot.id))).all()
    assert channels == ["console", "telegram"]
