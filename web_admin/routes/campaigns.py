"""Marketing (SKR step 2): campaign deep links and QR codes, and who came through which."""

from __future__ import annotations

import io
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from markupsafe import Markup
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Campaign
from budgeting.services.staff import setup
from web_admin.deep_links import deep_link
from web_admin.deps import STAFF_ONLY, DbSession, RoundDep, RowId, require_admin
from web_admin.queries import campaigns_of, participants_per_campaign
from web_admin.responses import act
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["campaigns"], dependencies=STAFF_ONLY)


@router.get("/rounds/{round_id}/campaigns")
async def campaign_list(request: Request, round_: RoundDep, db: DbSession) -> Response:
    """The round's campaigns with links, QR codes and how many participants each brought."""
    bot = request.app.state.bot_username
    counts = await participants_per_campaign(db)
    campaigns = await campaigns_of(db, round_.id)
    rows = []
    for campaign in campaigns:
        link = deep_link(bot, campaign.tag)
        qr = Markup(segno.make(link, error="m").svg_inline(scale=3)) if bot else None
        rows.append((campaign, link, qr, counts.get(campaign.tag, 0)))
    known = {c.tag for c in campaigns}
    return render_page(
        request,
        "campaign_list.html",
        {
            "round_": round_,
            "rows": rows,
            "bot": bot,
            "other_tags": sorted((t, n) for t, n in counts.items() if t not in known),
        },
    )


@router.post("/rounds/{round_id}/campaigns", dependencies=[Depends(require_admin)])
async def add_campaign(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    tag: Annotated[str, Form(max_length=100)] = "",
    label: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Create a campaign tag."""
    return await act(
        request,
        db,
        setup.add_campaign(db, request.state.staff, round_, tag, label),
        _("The campaign is added."),
        f"/admin/rounds/{round_.id}/campaigns",
    )


@router.get("/campaigns/{campaign_id}/qr.png")
async def campaign_qr(request: Request, campaign_id: RowId, db: DbSession) -> Response:
    """The campaign's QR code as a PNG large enough for print."""
    campaign = await db.get(Campaign, campaign_id)
    bot = request.app.state.bot_username
    if campaign is None or not bot:
        raise HTTPException(status_code=404, detail="no such campaign")
    out = io.BytesIO()
    segno.make(deep_link(bot, campaign.tag), error="m").save(out, kind="png", scale=12, border=4)
    return Response(
        out.getvalue(),
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="qr-{campaign.tag}.png"'},
    )
