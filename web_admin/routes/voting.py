"""The voting monitor: how many ballots per area and per day (counts, never ballots)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import SplitKind
from budgeting.services.groups import members_per_group
from budgeting.services.staff.paper import may_enter_paper
from budgeting.services.tally import ballots_per_channel
from web_admin.charts import bar_chart
from web_admin.deps import STAFF_ONLY, DbSession, RoundDep, Staff, StaffTranslator
from web_admin.labels import by_channel, part_words
from web_admin.queries import ballots_per_area, ballots_per_day
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["voting"], dependencies=STAFF_ONLY)


@router.get("/rounds/{round_id}/voting")
async def voting_monitor(
    request: Request, round_: RoundDep, db: DbSession, staff: Staff, t: StaffTranslator
) -> Response:
    """Ballots so far, per area (theme, group: with the people who declared each group),
    per channel and per day in the round's time zone."""
    per_area = await ballots_per_area(db, round_.id)
    channel_rows = [
        (t.gettext(label), n) for label, n in by_channel(await ballots_per_channel(db, round_.id))
    ]
    per_day = await ballots_per_day(db, round_)
    area_rows = [(a.name(t.locale), per_area.get(a.id, 0)) for a in round_.areas]
    day_rows = [(day.isoformat(), count) for day, count in per_day]
    words = part_words(round_)
    chart_title = words["chart"]
    members = None
    if round_.split_kind == SplitKind.GROUP:
        declared = await members_per_group(db, round_.id)
        members = [declared.get(a.id, 0) for a in round_.areas]
    return render_page(
        request,
        "voting_monitor.html",
        {
            "round_": round_,
            "total": sum(per_area.values()),
            "area_rows": area_rows,
            "members": members,
            "words": words,
            "day_rows": day_rows,
            "channel_rows": channel_rows,
            "channel_chart": bar_chart(t.gettext(_("Ballots per channel")), channel_rows),
            "may_enter_paper": may_enter_paper(round_, staff),
            "area_chart": bar_chart(t.gettext(chart_title), area_rows),
            "day_chart": bar_chart(t.gettext(_("Ballots per day")), day_rows),
        },
    )
