"""Paper ballots keyed in by staff over HTTP: entry, review, register once, refusals that
change nothing, counts per channel, and who may do it."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import (
    Ballot,
    BallotKind,
    Round,
    TallyRun,
    VotingCode,
    VotingCodeBatch,
    utcnow,
)
from budgeting.pabulib import parse_pabulib
from budgeting.services.exchange import import_pabulib
from budgeting.services.voting_codes import generate_codes
from tests.rounds import TOWN
from tests.web_admin.harness import ADMIN, MODERATOR, Browser, audit_actions
from tests.web_admin.test_setup import round_form

HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def hidden_fields(html: str) -> list[tuple[str, str]]:
    """The review page's hidden fields (the CSRF token left to the Browser)."""
    return [(k, v) for k, v in HIDDEN.findall(html) if k != "csrf_token"]


async def post_pairs(browser: Browser, url: str, pairs: list[tuple[str, str]]):
    """POST a form whose fields repeat (as a browser sends a review page's hidden fields)."""
    data: dict[str, list[str]] = {"csrf_token": [browser.csrf]}
    for name, value in pairs:
        data.setdefault(name, []).append(str(value))
    return await browser.client.post(url, data=data)


async def prepare(
    sessions: async_sessionmaker[AsyncSession],
    round_id: int,
    kind: BallotKind = BallotKind.RANKED,
    codes: int = 0,
) -> list[str]:
    """Set the round's ballot kind (and voting codes) as a round set up for paper would be."""
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, round_id)
        round_.ballot_kind = kind
        round_.requires_voting_code = codes > 0
        return await generate_codes(session, round_, codes) if codes else []


async def ballots(sessions: async_sessionmaker[AsyncSession]) -> list[Ballot]:
    async with sessions() as session:
        return list((await session.scalars(select(Ballot).order_by(Ballot.id))).all())


async def voting_admin(browser: Callable[[], Browser], round_id: int) -> Browser:
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get(f"/admin/rounds/{round_id}")
    await admin.confirm(f"/admin/rounds/{round_id}/phase", {"phase": "voting"})
    return admin


async def review(admin: Browser, base: str, fields: dict) -> tuple[int, str]:
    await admin.get(f"{base}/paper?area={fields['area']}")
    page = await admin.post(f"{base}/paper/review", fields)
    return page.status_code, page.text


async def test_a_paper_ballot_is_checked_registered_once_and_counted(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    codes = await prepare(sessions, town.id, codes=2)
    area = town.areas[0].id
    base = f"/admin/rounds/{town.id}"
    admin = await voting_admin(browser, town.id)
    chooser = await admin.get(f"{base}/paper")
    assert 'name="area"' in chooser.text and "Säter town" in chooser.text
    typed = codes[0].lower().replace("-", " ")
    status, page = await review(
        admin, base, {"area": area, "rank-1": "3", "rank-2": "1", "code": typed}
    )
    assert status == 200 and "Check the paper ballot" in page
    assert page.index("Belysning på gångvägen") < page.index("Fler bänkar längs Ljusterån")
    fields = hidden_fields(page)
    assert [v for k, v in fields if k == "project"] == ["3", "1"]
    assert await ballots(sessions) == []

    changed = await post_pairs(admin, f"{base}/paper/edit", [*fields])
    assert re.search(r'<option value="3" selected>', changed.text)
    assert f'value="{typed}"' in changed.text

    done = await post_pairs(admin, f"{base}/paper/register", fields)
    assert done.status_code == 303
    receipt = dict(fields)["receipt"]
    shown = await admin.get(done.headers["location"])
    assert f"Write its receipt code on the paper: {receipt}" in shown.text
    again = await post_pairs(admin, f"{base}/paper/register", fields)
    shown = await admin.get(again.headers["location"])
    assert f"already registered, with receipt code {receipt}" in shown.text
    [ballot] = await ballots(sessions)
    assert (ballot.channel, ballot.participant_id, ballot.receipt_code) == ("paper", None, receipt)
    assert [r.proposal_id for r in ballot.ranks] == [3, 1]
    async with sessions() as session:
        code = await session.get(VotingCode, ballot.voting_code_id)
        assert code.redeemed_at is not None

    status, page = await review(admin, base, {"area": area, "rank-1": "2", "code": codes[0]})
    assert status == 422 and "This voting code has already been used" in page
    status, page = await review(admin, base, {"area": area, "rank-1": "2", "code": codes[1]})
    await post_pairs(admin, f"{base}/paper/register", hidden_fields(page))
    assert [b.channel for b in await ballots(sessions)] == ["paper", "paper"]
    assert "ballot.paper" in await audit_actions(sessions)

    monitor = await admin.get(f"{base}/voting")
    assert re.search(r'<th scope="row">Paper</th><td class="num">2</td>', monitor.text)
    await admin.confirm(f"{base}/phase", {"phase": "decision"})
    await admin.get(f"{base}/results")
    await admin.post(f"{base}/results/count", {"rule": "greedy"})
    async with sessions() as session:
        run = (await session.scalars(select(TallyRun).where(TallyRun.area_id == area))).one()
    assert run.result["channels"] == {"paper": 2} and run.result["ballots"] == 2
    assert run.result["points"]["3"] == 3 and run.result["points"]["2"] == 3
    results = await admin.get(f"{base}/results")
    assert "Ballots per channel: Paper 2" in results.text
    exported = await admin.get(f"{base}/export/areas/{area}/pabulib")
    votes = parse_pabulib(exported.text).votes
    assert {(v["voting_method"], v["receipt"]) for v in votes} >= {("paper", receipt)}
    async with sessions() as session, session.begin():
        imported = await import_pabulib(session, exported.text, slug="recount")
        stored = await session.scalars(select(Ballot).where(Ballot.round_id == imported.id))
        assert [b.channel for b in stored] == ["paper", "paper"]  # receipts are new there


async def test_bad_paper_input_is_refused_and_changes_nothing(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    area = town.areas[0].id
    base = f"/admin/rounds/{town.id}"
    admin = await voting_admin(browser, town.id)
    for fields, message in (
        ({"rank-1": "999999"}, "Choose only projects on the ballot"),
        ({"rank-1": "abc"}, "Choose only projects on the ballot"),
        ({"rank-1": "6"}, "Choose only projects on the ballot"),  # Gustavsbo's
        ({"rank-1": "1", "rank-2": "1"}, "A project is ranked twice"),
        ({"rank-2": "1"}, "Fill in the choices from the first one"),
        ({}, "Rank at least 1 and at most 3 projects."),
    ):
        status, page = await review(admin, base, {"area": area, **fields})
        assert (status, message in page) == (422, True), (fields, page[:300])
    forged = [("area", str(area))]
    four = [("project", str(p)) for p in (1, 2, 3, 4)]
    status, page = await review(admin, base, {"area": area, "rank-1": "1"})
    fields = hidden_fields(page)
    receipt, signature = dict(fields)["receipt"], dict(fields)["signature"]
    for data, message in (
        ([*forged, *four, ("receipt", receipt), ("signature", signature)], "Rank at least 1"),
        ([*forged, ("project", "1"), ("receipt", receipt)], "The form is out of date"),
        (
            [*forged, ("project", "1"), ("receipt", "AAAA-AAAA-AAAA"), ("signature", signature)],
            "The form is out of date",
        ),
    ):
        answer = await post_pairs(admin, f"{base}/paper/register", data)
        shown = await admin.get(answer.headers["location"])
        assert message in shown.text
    await admin.confirm(f"{base}/phase", {"phase": "decision"})
    answer = await post_pairs(admin, f"{base}/paper/register", [*fields])
    shown = await admin.get(answer.headers["location"])
    assert "Voting is not open now" in shown.text
    assert await ballots(sessions) == []


async def test_approval_and_cumulative_papers_follow_their_rules(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    area = town.areas[0].id
    base = f"/admin/rounds/{town.id}"
    await prepare(sessions, town.id, BallotKind.APPROVAL)
    admin = await voting_admin(browser, town.id)
    form = await admin.get(f"{base}/paper?area={area}")
    assert 'type="checkbox" value="4"' in form.text
    await admin.get(f"{base}/paper?area={area}")
    many = await post_pairs(
        admin,
        f"{base}/paper/review",
        [("area", str(area))] + [("choice", str(p)) for p in (1, 2, 3, 4)],
    )
    assert many.status_code == 422 and "Choose at least 1 and at most 3 projects." in many.text
    assert 'value="2" checked' in many.text
    status, page = await review(admin, base, {"area": area, "choice": "4"})
    await post_pairs(admin, f"{base}/paper/register", hidden_fields(page))
    await prepare(sessions, town.id, BallotKind.CUMULATIVE)
    for points, message in (
        ({"points-1": "6"}, "Too many points on one project; the most is 5."),
        (
            {"points-1": "5", "points-2": "5", "points-3": "1"},
            "Too many points: 11 given, the most in all is 10.",
        ),
        ({"points-1": "lots"}, "Points are whole numbers from 0 to 5."),
        ({"points-1": "0"}, "Give points to at least one project."),
    ):
        status, page = await review(admin, base, {"area": area, **points})
        assert (status, message in page) == (422, True), points
    status, page = await review(admin, base, {"area": area, "points-2": "4", "points-4": "3"})
    assert status == 200
    await post_pairs(admin, f"{base}/paper/register", [*hidden_fields(page)])
    approval, cumulative = await ballots(sessions)
    assert [(r.proposal_id, r.points) for r in approval.ranks] == [(4, None)]
    assert [(r.proposal_id, r.points) for r in cumulative.ranks] == [(2, 4), (4, 3)]


async def test_moderators_enter_paper_only_where_the_round_allows_and_csrf_is_needed(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    area = town.areas[0].id
    base = f"/admin/rounds/{town.id}"
    admin = await voting_admin(browser, town.id)
    moderator = browser()
    await moderator.login(*MODERATOR)
    assert "/paper" not in (await moderator.get(f"{base}/voting")).text
    assert (await moderator.get(f"{base}/paper")).status_code == 403
    for action in ("review", "edit", "register"):
        refused = await moderator.post(f"{base}/paper/{action}", {"area": area, "rank-1": "1"})
        assert refused.status_code == 403
    no_token = await admin.client.post(f"{base}/paper/review", data={"area": area, "rank-1": "1"})
    wrong = await admin.client.post(
        f"{base}/paper/register", data={"csrf_token": "forged", "area": area, "project": "1"}
    )
    assert (no_token.status_code, wrong.status_code) == (403, 403)

    edit = await admin.get(f"{base}/edit")
    assert 'id="moderators_enter_paper" name="moderators_enter_paper" type="checkbox">' in edit.text
    saved = await admin.post(
        f"{base}/edit",
        round_form(
            slug=TOWN.slug, budget="1 000 000", moderators_enter_paper="on", requires_voting_code=""
        ),
    )
    assert saved.status_code == 303
    await admin.get(f"{base}")
    await admin.confirm(f"{base}/phase", {"phase": "voting"})
    async with sessions() as session:
        assert (await session.get(Round, town.id)).moderators_enter_paper is True
    assert f'href="{base}/paper"' in (await moderator.get(f"{base}/voting")).text
    status, page = await review(moderator, base, {"area": area, "rank-1": "1"})
    assert status == 200
    await post_pairs(moderator, f"{base}/paper/register", [*hidden_fields(page)])
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Ballot))
    assert count == 1


async def test_revoked_codes_and_codes_of_another_area_are_refused(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    revoked, elsewhere, good = await prepare(sessions, town.id, codes=3)
    async with sessions() as session, session.begin():
        codes = (await session.scalars(select(VotingCode).order_by(VotingCode.id))).all()
        codes[0].revoked_at = utcnow()
        batch = VotingCodeBatch(
            round_id=town.id, area_id=town.areas[1].id, size=1, form_token="t" * 32
        )
        session.add(batch)
        await session.flush()
        codes[1].batch_id = batch.id
    area = town.areas[0].id
    base = f"/admin/rounds/{town.id}"
    admin = await voting_admin(browser, town.id)
    for code, message in (
        (revoked, "This voting code is revoked"),
        (elsewhere, "This voting code was issued for another area"),
        ("ABCD-EFGH-JKLM", "This voting code is not one of the round&#39;s codes."),
        ("", "Enter the voting code printed on the paper."),
    ):
        status, page = await review(admin, base, {"area": area, "rank-1": "1", "code": code})
        assert (status, message in page) == (422, True), (code, page[:400])
    status, page = await review(admin, base, {"area": area, "rank-1": "1", "code": good})
    assert status == 200
    assert await ballots(sessions) == []
