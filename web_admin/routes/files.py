"""The files published with a round's results, public so anyone can recount them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import Response

from budgeting.services.results import FILES_PREFIX, PUBLISHED_FILE_TYPE, published_file
from web_admin.deps import DbSession, RowId

router = APIRouter(tags=["files"])


@router.get(FILES_PREFIX + "/{round_id}/{filename}")
async def download_published_file(round_id: RowId, filename: str, db: DbSession) -> Response:
    """A published pabulib file, byte for byte the one whose SHA-256 was published."""
    file = await published_file(db, round_id, filename)
    if file is None:
        raise HTTPException(status_code=404, detail="not found")
    return Response(
        file.content.encode("utf-8"),
        media_type=PUBLISHED_FILE_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "public, max-age=86400",
        },
    )
