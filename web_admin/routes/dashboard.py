"""The start page (every round at a glance) and one round's overview."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from budgeting.phases import SCHEDULED, Phase, current_phase, opens_at
from web_admin.deps import STAFF_ONLY, DbSession, Now, RoundDep
from web_admin.queries import all_rounds, ballots_per_area, round_counts
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["dashboard"], dependencies=STAFF_ONLY)


@router.get("/")
async def dashboard(request: Request, db: DbSession, now: Now) -> Response:
    """Every round with its phase and what waits for staff."""
    rounds = await all_rounds(db)
    cards = [(r, current_phase(r, now), await round_counts(db, r.id)) for r in rounds]
    return render_page(request, "dashboard.html", {"cards": cards})


@router.get("/rounds/{round_id}")
async def round_overview(request: Request, round_: RoundDep, db: DbSession, now: Now) -> Response:
    """One round: phase and dates, areas with their budgets, counts, and where to go next."""
    dates = [(phase, opens_at(round_, phase)) for phase in (*SCHEDULED, Phase.CLOSED)]
    return render_page(
        request,
        "round_overview.html",
        {
            "round_": round_,
            "phase": current_phase(round_, now),
            "dates": dates,
            "counts": await round_counts(db, round_.id),
            "ballots": await ballots_per_area(db, round_.id),
        },
    )
