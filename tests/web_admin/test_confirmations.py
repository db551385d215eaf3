"""Irreversible staff actions ask first: what will happen, how many are told; then act once."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import (
    ChannelIdentity,
    Follower,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
    utcnow,
)
from tests.builders import cast_ballots
from tests.web_admin.harness import (
    ADMIN,
    CONFIRMATION,
    MODERATOR,
    Browser,
    audit_actions,
    outbox,
    proposal_titled,
)


async def _residents(
    sessions: async_sessionmaker[AsyncSession], round_: Round, follow: str | None = None
) -> None:
    """Five residents of the round: three on Telegram, one of them with results switched off,
    one unreachable, one on no channel; the first two follow ``follow``, as does the
    unreachable one. The proposal's author is on Telegram too."""
    async with sessions() as session, session.begin():
        people = [Participant(display_name=f"resident {i}", round_id=round_.id) for i in range(5)]
        people[2].opt_outs = [NotificationKind.RESULTS.value]
        session.add_all(people)
        await session.flush()
        for i, person in enumerate(people[:4]):
            session.add(
                ChannelIdentity(participant_id=person.id, channel="telegram", external_id=f"{i}")
            )
        people[3].unreachable_at = utcnow()
        if follow is not None:
            proposal = (
                await session.scalars(select(Proposal).where(Proposal.title == follow))
            ).one()
            for person in (people[0], people[1], people[3]):
                session.add(Follower(participant_id=person.id, proposal_id=proposal.id))
            session.add(
                ChannelIdentity(
                    participant_id=proposal.author_id, channel="telegram", external_id="a"
                )
            )


def _token(page: str) -> str:
    match = CONFIRMATION.search(page)
    assert match is not None, "no confirmation form"
    return match.group(1)


def _text(page: str) -> str:
    """The page's words, without tags (to read what staff read)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


async def _count(sessions: async_sessionmaker[AsyncSession], kind: NotificationKind) -> int:
    return len(await outbox(sessions, kind))


async def test_reject_asks_first_and_acts_once(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _residents(sessions, town, follow="Laddstolpar på landet")
    idea = await proposal_titled(sessions, "Laddstolpar på landet")
    moderator = browser()
    await moderator.login(*MODERATOR)
    await moderator.get(f"/admin/proposals/{idea.id}")
    form = {"reason": "Elbolaget äger laddstolparna.", "reason.en": "The power company owns them."}
    page = await moderator.post(f"/admin/proposals/{idea.id}/reject", form)
    assert page.status_code == 200
    words = _text(page.text)
    assert "Reject this proposal?" in words
    assert "Its author will be told (1 person)." in words
    assert "2 followers of the proposal will be told." in words
    assert "1 more will not be told" in words
    assert "Elbolaget äger laddstolparna." in words
    assert f'href="/admin/proposals/{idea.id}">Cancel</a>' in page.text
    assert 'name="reason.en" value="The power company owns them."' in page.text
    # asking changed nothing: cancel is just going back
    assert await outbox(sessions) == []
    assert (await proposal_titled(sessions, idea.title)).status == ProposalStatus.UNDER_REVIEW
    assert "proposal.reject" not in await audit_actions(sessions)
    token = _token(page.text)
    done = await moderator.post(
        f"/admin/proposals/{idea.id}/reject", {**form, "confirmation": token}
    )
    assert done.status_code == 303
    again = await moderator.post(
        f"/admin/proposals/{idea.id}/reject", {**form, "confirmation": token}
    )
    assert again.status_code == 303
    followed = await moderator.get(again.headers["location"])
    assert "This was done already; nothing more was changed." in followed.text
    assert (await proposal_titled(sessions, idea.title)).status == ProposalStatus.REJECTED
    assert await _count(sessions, NotificationKind.REVIEW_OUTCOME) == 1
    assert await _count(sessions, NotificationKind.FOLLOWED_CHANGED) == 1
    assert (await audit_actions(sessions)).count("proposal.reject") == 1


async def test_a_forged_or_altered_confirmation_does_nothing(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    duplicate = await proposal_titled(sessions, "Cykelställ vid skolan")
    target = await proposal_titled(sessions, "Hundrastgård")
    moderator, other = browser(), browser()
    await moderator.login(*MODERATOR)
    await other.login(*ADMIN)
    url = f"/admin/proposals/{duplicate.id}/merge"
    form = {"target_id": str(target.id), "reason": "Samma idé."}
    page = await moderator.post(url, form)
    words = _text(page.text)
    assert "Merge this proposal?" in words and f"#{target.id} Hundrastgård" in words
    token = _token(page.text)
    for forged in (
        await moderator.post(url, {**form, "confirmation": "made-up"}),
        await moderator.post(url, {**form, "reason": "Annat.", "confirmation": token}),
        await other.post(url, {**form, "confirmation": token}),  # another staff session
    ):
        assert forged.status_code == 409
        assert "Nothing was done" in _text(forged.text)
    assert await outbox(sessions) == []
    assert (await proposal_titled(sessions, duplicate.title)).status == duplicate.status
    await moderator.post(url, {**form, "confirmation": token})
    merged = await proposal_titled(sessions, duplicate.title)
    assert merged.status == ProposalStatus.MERGED and merged.merged_into_id == target.id
    assert (await audit_actions(sessions)).count("proposal.merge") == 1


async def test_a_stale_confirmation_shows_the_page_again(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    idea = await proposal_titled(sessions, "Laddstolpar på landet")
    moderator = browser()
    await moderator.login(*MODERATOR)
    await moderator.get(f"/admin/proposals/{idea.id}")
    url = f"/admin/proposals/{idea.id}"
    page = await moderator.post(f"{url}/reject", {"reason": "Nej."})
    token = _token(page.text)
    await moderator.post(f"{url}/edit", {"title": "Laddstolpar i byarna", "description": "Fler."})
    stale = await moderator.post(f"{url}/reject", {"reason": "Nej.", "confirmation": token})
    assert stale.status_code == 409 and "Reject this proposal?" in stale.text
    assert (
        await proposal_titled(sessions, "Laddstolpar i byarna")
    ).status != ProposalStatus.REJECTED
    fresh = _token(stale.text)
    await moderator.post(f"{url}/reject", {"reason": "Nej.", "confirmation": fresh})
    assert (
        await proposal_titled(sessions, "Laddstolpar i byarna")
    ).status == ProposalStatus.REJECTED


async def test_a_refused_action_is_refused_before_the_confirmation(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    idea = await proposal_titled(sessions, "Laddstolpar på landet")
    moderator = browser()
    await moderator.login(*MODERATOR)
    refused = await moderator.post(f"/admin/proposals/{idea.id}/reject", {"reason": " "})
    assert refused.status_code == 303
    page = await moderator.get(refused.headers["location"])
    assert "Give a reason" in page.text and 'name="confirmation"' not in page.text


async def test_phase_change_and_publish_tell_how_many_and_act_once(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _residents(sessions, town)
    admin = browser()
    await admin.login(*ADMIN)
    base = f"/admin/rounds/{town.id}"
    await admin.get(base)
    page = await admin.post(f"{base}/phase", {"phase": "voting"})
    words = _text(page.text)
    assert "Change the phase?" in words and "“Voting” from now on" in words
    assert "3 participants will be told that voting is open." in words
    assert "2 more will not be told" in words  # unreachable, and on no channel
    assert await outbox(sessions) == []
    async with sessions() as session:
        assert (await session.get(Round, town.id)).phase_override is None
    token = _token(page.text)
    await admin.post(f"{base}/phase", {"phase": "voting", "confirmation": token})
    await admin.post(f"{base}/phase", {"phase": "voting", "confirmation": token})
    [opens] = await outbox(sessions, NotificationKind.VOTING_OPENS)
    assert opens.once_key == f"round:{town.id}:voting:voting_opens"
    assert (await audit_actions(sessions)).count("round.phase_override") == 1
    # into voting again by hand: its opening was sent, so nobody is told again
    again = await admin.post(f"{base}/phase", {"phase": "voting"})
    assert "Nobody will be told." in _text(again.text)
    await admin.confirm(f"{base}/phase", {"phase": "voting"})
    assert await _count(sessions, NotificationKind.VOTING_OPENS) == 1

    async with sessions() as session, session.begin():
        round_ = await session.get(Round, town.id)
        await session.refresh(round_, ["areas"])
        await cast_ballots(session, round_)
    await admin.confirm(f"{base}/phase", {"phase": "decision"})
    await admin.post(f"{base}/results/count", {"rule": "greedy"})
    page = await admin.post(f"{base}/results/publish")
    words = _text(page.text)
    assert "Publish the results?" in words
    assert "2 participants will be told the results." in words
    assert "3 more will not be told" in words  # switched off, unreachable, on no channel
    assert re.search(r"\d+ projects? (is|are) selected", words)
    async with sessions() as session:
        assert (await session.get(Round, town.id)).results_published_at is None
    token = _token(page.text)
    for _ in range(2):
        await admin.post(f"{base}/results/publish", {"confirmation": token})
    assert await _count(sessions, NotificationKind.RESULTS) == 1
    assert (await audit_actions(sessions)).count("tally.publish") == 1
    async with sessions() as session:
        assert (await session.get(Round, town.id)).results_published_at is not None
        total = await session.scalar(select(func.count()).select_from(Notification))
    assert total == 2  # voting opens, results


async def test_the_confirmation_page_speaks_swedish(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _residents(sessions, town)
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get(f"/admin/rounds/{town.id}?lang=sv")
    page = await admin.post(f"/admin/rounds/{town.id}/phase", {"phase": "voting"})
    words = _text(page.text)
    assert "Byta fas?" in words and "i fasen ”Omröstning” från och med nu" in words
    assert "3 deltagare får veta att omröstningen är öppen." in words
    assert "2 till får inget besked" in words
    assert f'href="/admin/rounds/{town.id}?lang=en"' in page.text  # back to the form
