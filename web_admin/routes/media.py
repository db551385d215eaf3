"""Photos of implementation updates, public because participants are sent them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from web_admin.media import CONTENT_TYPES, media_path

router = APIRouter(tags=["media"])


@router.get("/media/{name}")
async def media_file(request: Request, name: str) -> FileResponse:
    """One uploaded photo (names are random; nothing else under the media dir is served)."""
    path = media_path(request.app.state.media_dir, name)
    if path is None:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(
        path,
        media_type=CONTENT_TYPES[path.suffix.lstrip(".")],
        headers={"Cache-Control": "public, max-age=86400"},
    )
