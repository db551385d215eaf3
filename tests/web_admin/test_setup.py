"""Round setup, campaigns and staff accounts, as an admin does them in the browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Area, Criterion, Participant, Round, StaffUser
from budgeting.phases import Phase, current_phase
from tests.web_admin.harness import ADMIN, BOT, Browser, audit_actions
from web_admin.forms import DATE_FIELDS

DATES = dict(
    zip(
        DATE_FIELDS,
        [f"2027-{month:02d}-01T09:00" for month in range(1, 8)],
        strict=True,
    )
)


def round_form(**changes: str) -> dict[str, str]:
    form = {
        "slug": "hedemora-2027",
        "audience": "residents",
        "organisation": "",
        "budget": "2 000 000",
        "timezone": "Europe/Stockholm",
        "min_ranks": "1",
        "max_ranks": "3",
        "tie_break": "lot",
        "requires_voting_code": "on",
        "phase_override": "",
        "texts.sv.title": "Medborgarbudget Hedemora 2027",
        "texts.sv.description": "Två miljoner kronor.",
        "texts.sv.faq": "Vem får vara med? Alla från 12 år.",
        "texts.en.title": "Hedemora participatory budget 2027",
        "texts.ar.title": "الميزانية التشاركية هيديمورا",
        **DATES,
    }
    return form | changes


async def test_an_admin_sets_up_a_round(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get("/admin/rounds/new")
    bad = await admin.post(
        "/admin/rounds/new", round_form(slug="Bad slug!", voting_opens_at="2026-12-01T00:00")
    )
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.text and "Medborgarbudget Hedemora 2027" in bad.text
    clash = await admin.post("/admin/rounds/new", round_form(slug=town.slug))
    assert clash.status_code == 400
    created = await admin.post("/admin/rounds/new", round_form())
    assert created.status_code == 303
    round_id = int(re.search(r"/admin/rounds/(\d+)/structure", created.headers["location"])[1])
    await admin.get(f"/admin/rounds/{round_id}/structure")
    for name, budget in (("Hedemora stad", "1 500 000"), ("Långshyttan", "500000")):
        await admin.post(
            f"/admin/rounds/{round_id}/areas",
            {"name.sv.name": name, "name.en.name": name, "budget": budget},
        )
    too_much = await admin.post(
        f"/admin/rounds/{round_id}/areas", {"name.sv.name": "Vikmanshyttan", "budget": "1"}
    )
    assert too_much.status_code == 303
    await admin.post(
        f"/admin/rounds/{round_id}/criteria",
        {"name.sv.name": "Gynnar många", "name.ar.name": "يفيد الكثيرين"},
    )
    async with sessions() as session:
        round_ = await session.get(Round, round_id)
        areas = (await session.scalars(select(Area).where(Area.round_id == round_id))).all()
        criteria = (
            await session.scalars(select(Criterion).where(Criterion.round_id == round_id))
        ).all()
    assert round_.budget == 2_000_000 and round_.requires_voting_code
    assert round_.ideas_opens_at == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)  # CET
    assert round_.followup_opens_at == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)  # CEST
    assert round_.texts["ar"] == {"title": "الميزانية التشاركية هيديمورا"}
    assert round_.texts["sv"]["faq"] == "Vem får vara med? Alla från 12 år."
    assert sorted(a.budget for a in areas) == [500_000, 1_500_000]
    assert [c.texts for c in criteria] == [
        {"sv": {"name": "Gynnar många"}, "ar": {"name": "يفيد الكثيرين"}}
    ]
    edit = await admin.get(f"/admin/rounds/{round_id}/edit")
    assert 'value="2027-06-01T09:00"' in edit.text  # shown in the round's time zone
    await admin.confirm(f"/admin/rounds/{round_id}/phase", {"phase": "voting"})
    async with sessions() as session:
        round_ = await session.get(Round, round_id)
    assert current_phase(round_, datetime(2020, 1, 1, tzinfo=UTC)) is Phase.VOTING
    assert (await audit_actions(sessions))[1:] == [
        "round.create",
        "area.save",
        "area.save",
        "criterion.save",
        "round.phase_override",
    ]


async def test_campaign_links_qr_codes_and_counts(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        session.add_all(
            [Participant(campaign="bibliotek", round_id=town.id) for _ in range(3)]
            + [Participant(campaign="okand", round_id=town.id)]
        )
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get(f"/admin/rounds/{town.id}/campaigns")
    await admin.post(f"/admin/rounds/{town.id}/campaigns", {"tag": "bad tag!", "label": "Affisch"})
    await admin.post(
        f"/admin/rounds/{town.id}/campaigns", {"tag": "bibliotek", "label": "Affisch i biblioteket"}
    )
    page = await admin.get(f"/admin/rounds/{town.id}/campaigns")
    assert f"https://t.me/{BOT}?start=c_bibliotek" in page.text
    assert "<svg" in page.text and "Affisch i biblioteket" in page.text
    row = page.text[page.text.index("Affisch i biblioteket") :]
    assert re.search(r'class="num">3<', row)
    assert "okand" in page.text  # tags without a campaign are counted too
    qr = await admin.get("/admin/campaigns/1/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")


async def test_an_admin_adds_staff_and_weak_passwords_are_refused_with_the_reason(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get("/admin/users")
    email = "New.Person@Sater.example"
    refused = {
        "short": "at least 12 characters",
        "aaaaaaaaaaaa": "Repeated characters",
        "password1234": "one of the most used passwords",
        "zxcvbnm,./;l": "Rows of keys",
        "new.person@sater.example": "must not contain the e-mail address",
    }
    for password, reason in refused.items():
        response = await admin.post(
            "/admin/users", {"email": email, "password": password, "role": "moderator"}
        )
        assert response.status_code == 303
        page = await admin.get("/admin/users")
        assert reason in page.text, password
        assert "new.person@sater.example" not in page.text.split("<form")[0]
    async with sessions() as session:
        assert await session.scalar(select(StaffUser).where(StaffUser.email.like("new%"))) is None
    swedish = await admin.get("/admin/users?lang=sv")
    assert "tre eller fyra" in swedish.text  # the rule, shown by the form, in Swedish
    await admin.get("/admin/users?lang=en")
    await admin.post(
        "/admin/users", {"email": email, "password": "aaaaaaaaaaaa", "role": "moderator"}
    )
    swedish = await admin.get("/admin/users?lang=sv")
    assert "Upprepade tecken" in swedish.text  # zxcvbn's reason, in our own Swedish words
    await admin.get("/admin/users?lang=en")
    await admin.post(
        "/admin/users", {"email": email, "password": "lantern otter gravel 1893", "role": "admin"}
    )
    page = await admin.get("/admin/users")
    assert "The account is added." in page.text and "new.person@sater.example" in page.text
    async with sessions() as session:
        user = (
            await session.scalars(
                select(StaffUser).where(StaffUser.email == "new.person@sater.example")
            )
        ).one()
        assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    newcomer = browser()
    await newcomer.login("new.person@sater.example", "lantern otter gravel 1893")
    assert (await newcomer.get("/admin/audit")).status_code == 200


async def test_the_comment_digest_window_is_set_per_round(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get("/admin/rounds/new")
    for bad in ("-5", "10081", "three hours"):
        refused = await admin.post("/admin/rounds/new", round_form(comment_digest_minutes=bad))
        assert refused.status_code == 400 and "A number of minutes from 0 to 10080" in refused.text
    created = await admin.post("/admin/rounds/new", round_form(comment_digest_minutes="60"))
    assert created.status_code == 303
    round_id = int(re.search(r"/admin/rounds/(\d+)/structure", created.headers["location"])[1])
    edit = await admin.get(f"/admin/rounds/{round_id}/edit")
    assert 'name="comment_digest_minutes" type="number" min="0" max="10080" value="60"' in edit.text
    async with sessions() as session:
        assert (await session.get(Round, round_id)).comment_digest_minutes == 60
        assert (await session.get(Round, town.id)).comment_digest_minutes == 180  # the default
