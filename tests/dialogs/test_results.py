"""Results in the chat once published: winners per area, decisions, progress, the count."""

from __future__ import annotations

from budgeting.phases import Phase
from tests.dialogs.transcripts import START_ENGLISH


async def test_results_before_publication(seeded, chat) -> None:
    await seeded(Phase.VOTING)
    await chat().run([*START_ENGLISH, ("/results", "The results are not published yet")])


async def test_results_with_explanation(seeded, chat) -> None:
    await seeded(Phase.IMPLEMENTATION)
    user = chat()
    await user.run(
        [
            *START_ENGLISH,
            (
                "/results",
                [
                    "Result of the vote:",
                    "Säter town (budget 500,000 SEK",
                    "✅ #",
                    "approved by the council",
                    "%)",
                    "[How Säter town was counted]",
                ],
            ),
            ("How Säter town was counted", ["points", "Selected"]),
        ]
    )


async def test_results_in_swedish(seeded, chat) -> None:
    await seeded(Phase.DECISION)
    await chat().run(
        [("/start", "Svenska"), ("Svenska", "Medborgarbudget"), ("/results", ["✅ #", "poäng"])]
    )
