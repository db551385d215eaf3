"""Results (SKR steps 5–6): count, read the explanation, publish, record council decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Area, ProposalStatus, TallyRun
from budgeting.services import rules, tally
from budgeting.services.results import file_path, published_files
from budgeting.services.rounds import load_round
from budgeting.services.staff import results
from web_admin.charts import BarChart, bar_chart
from web_admin.deps import (
    STAFF_ONLY,
    DbSession,
    Now,
    ProposalDep,
    RoundDep,
    StaffTranslator,
    require_admin,
)
from web_admin.forms import translations
from web_admin.queries import latest_runs, proposals_of
from web_admin.responses import act
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["results"], dependencies=STAFF_ONLY)


@dataclass(frozen=True)
class AreaResult:
    """One area's newest count, ready to show."""

    area: Area
    run: TallyRun
    projects: list[dict[str, Any]]
    chart: BarChart
    explanation: list[str]


def area_result(area: Area, run: TallyRun, locale: str, title: str) -> AreaResult:
    """Projects by points (selected marked), a chart of the points and the explanation."""
    result = run.result
    selected = {str(pid) for pid in result.get("selected", [])}
    points = {str(pid): int(v) for pid, v in (result.get("points") or {}).items()}
    info = result.get("projects") or {}
    order = sorted(points, key=lambda pid: -points[pid])
    order += [pid for pid in info if pid not in points]
    projects = [
        {
            "id": pid,
            "name": (info.get(pid) or {}).get("name") or f"#{pid}",
            "cost": (info.get(pid) or {}).get("cost"),
            "points": points.get(pid, 0),
            "selected": pid in selected,
        }
        for pid in order
    ]
    chart = bar_chart(
        title,
        [(p["name"], p["points"]) for p in projects],
        highlighted={i for i, p in enumerate(projects) if p["selected"]},
    )
    return AreaResult(area, run, projects, chart, tally.explain_run(run, locale))


@router.get("/rounds/{round_id}/results")
async def round_results(
    request: Request, round_: RoundDep, db: DbSession, now: Now, t: StaffTranslator
) -> Response:
    """The newest count per area, with chart and explanation; publishing; decisions."""
    runs = await latest_runs(db, round_)
    areas = [
        area_result(
            area,
            runs[area.id],
            t.locale,
            t.gettext(_("Points per project in {area}")).format(area=area.name(t.locale)),
        )
        for area in round_.areas
        if area.id in runs
    ]
    selected = await proposals_of(db, round_.id, [ProposalStatus.SELECTED.value])
    files = {f.area_id: f for f in await published_files(db, round_)}
    return render_page(
        request,
        "round_results.html",
        {
            "round_": round_,
            "areas": areas,
            "can_count": rules.can_count(round_, now),
            "can_publish": bool(runs) and round_.results_published_at is None,
            "selected": selected,
            "declined": {str(p.id) for p in selected if rules.declined(p)},
            "area_names": {a.id: a.name(t.locale) for a in round_.areas},
            "files": files,
            "file_path": file_path,
            "can_redraw": rules.can_count(round_, now) and round_.tie_break == "lot" and bool(runs),
        },
    )


@router.post("/rounds/{round_id}/results/count", dependencies=[Depends(require_admin)])
async def count_ballots(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    now: Now,
    rule: Annotated[str, Form(max_length=16)] = "greedy",
) -> Response:
    """Count the ballots of every area (not yet published)."""
    return await act(
        request,
        db,
        results.count_ballots(db, request.state.staff, round_, rule, now),
        _("The ballots are counted. Check the result, then publish it."),
        f"/admin/rounds/{round_.id}/results",
    )


@router.post("/rounds/{round_id}/results/redraw", dependencies=[Depends(require_admin)])
async def redraw_lot(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    now: Now,
    rule: Annotated[str, Form(max_length=16)] = "greedy",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Draw the lot anew and count again (before publication, with a reason)."""
    return await act(
        request,
        db,
        results.redraw_lot(db, request.state.staff, round_, rule, reason, now),
        _("The lot is drawn again and the ballots are counted with it."),
        f"/admin/rounds/{round_.id}/results",
    )


@router.post("/rounds/{round_id}/results/publish", dependencies=[Depends(require_admin)])
async def publish_results(request: Request, round_: RoundDep, db: DbSession, now: Now) -> Response:
    """Publish the newest count; participants are told."""
    return await act(
        request,
        db,
        results.publish(db, request.state.staff, round_, now),
        _("The results are published; participants will be told."),
        f"/admin/rounds/{round_.id}/results",
    )


@router.post("/proposals/{proposal_id}/decision", dependencies=[Depends(require_admin)])
async def record_decision(
    request: Request,
    proposal: ProposalDep,
    db: DbSession,
    now: Now,
    decision: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Record the council's decision on a selected project; followers are told."""
    round_ = await load_round(db, proposal.round_id)
    return await act(
        request,
        db,
        results.record_decision(
            db,
            request.state.staff,
            proposal,
            decision,
            note,
            now,
            translations(await request.form(), "note", 5000),
        ),
        _("The council's decision is recorded."),
        f"/admin/rounds/{round_.id}/results#decisions",
    )
