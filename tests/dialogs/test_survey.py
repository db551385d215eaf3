"""The end-of-round survey as a dialog."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.models import SurveyAnswer
from budgeting.phases import Phase
from tests.dialogs.transcripts import START_ENGLISH


async def test_survey_stores_three_answers_and_text(seeded, chat, sessions) -> None:
    await seeded(Phase.FOLLOWUP)
    user = chat()
    await user.run(
        [
            *START_ENGLISH,
            ("/survey", ["Question 1 of 3", "understood how the decisions", "[5]"]),
            ("4", "Question 2 of 3"),
            ("9", "a number from 1 to 5"),  # not on the scale: nothing stored, still at question 2
            ("2", "Question 3 of 3"),
            ("5", "Anything else"),
            ("More benches, please!", "Thank you! Your answers help"),
        ]
    )
    async with sessions() as session:
        answer = (await session.scalars(select(SurveyAnswer))).one()
    assert (answer.understood, answer.discussion, answer.together) == (4, 2, 5)
    assert answer.comment == "More benches, please!"


async def test_survey_waits_for_follow_up(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await chat().run([*START_ENGLISH, ("/survey", "The survey opens when the round reaches")])
    async with sessions() as session:
        assert (await session.scalars(select(SurveyAnswer))).first() is None
