"""Exports: every proposal as CSV, and each area's anonymised ballots as a pabulib file."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import Response

from budgeting.services.exchange import area_filename, export_pabulib, proposals_csv
from budgeting.services.results import PUBLISHED_FILE_TYPE
from budgeting.services.staff.audit import audit
from web_admin.deps import STAFF_ONLY, DbSession, RoundDep, RowId, Staff

router = APIRouter(prefix="/admin", tags=["exports"], dependencies=STAFF_ONLY)


def _download(content: str, media_type: str, filename: str) -> Response:
    return Response(
        content.encode("utf-8"),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/rounds/{round_id}/export/proposals.csv")
async def export_proposals(round_: RoundDep, db: DbSession, staff: Staff) -> Response:
    """Every proposal of the round as CSV (cells that look like formulas are defused)."""
    content = await proposals_csv(db, round_)
    await audit(db, staff, "export.proposals_csv", f"round:{round_.id}")
    await db.commit()
    return _download("\ufeff" + content, "text/csv; charset=utf-8", f"{round_.slug}-proposals.csv")


@router.get("/rounds/{round_id}/export/areas/{area_id}/pabulib")
async def export_area_pabulib(
    round_: RoundDep, area_id: RowId, db: DbSession, staff: Staff
) -> Response:
    """One area's projects and anonymised ballots in the pabulib format; once the results
    are published, exactly the file published with them."""
    area = next((a for a in round_.areas if a.id == area_id), None)
    if area is None:
        raise HTTPException(status_code=404, detail="no such area")
    content = await export_pabulib(db, round_, area_id)
    await audit(db, staff, "export.pabulib", f"area:{area_id}")
    await db.commit()
    return _download(content, PUBLISHED_FILE_TYPE, area_filename(round_, area))
