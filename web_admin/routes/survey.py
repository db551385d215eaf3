"""Survey results (SKR step 8): Säter's three aims, 1–5 each, as charts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from web_admin import labels
from web_admin.charts import bar_chart
from web_admin.deps import STAFF_ONLY, DbSession, RoundDep, StaffTranslator
from web_admin.queries import survey_comments, survey_stats
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["survey"], dependencies=STAFF_ONLY)


@router.get("/rounds/{round_id}/survey")
async def survey_results(
    request: Request, round_: RoundDep, db: DbSession, t: StaffTranslator
) -> Response:
    """How participants answered each question, and their free-text comments."""
    stats, total = await survey_stats(db, round_.id)
    charts = [
        (
            question,
            bar_chart(
                t.gettext(labels.QUESTIONS[question.field]),
                [(str(score), count) for score, count in question.counts.items()],
            ),
        )
        for question in stats
    ]
    return render_page(
        request,
        "survey_results.html",
        {
            "round_": round_,
            "total": total,
            "charts": charts,
            "comments": await survey_comments(db, round_.id),
        },
    )
