"""Migration 0014 gives the ballots that exist their channel: their participant's first
channel identity, or ``import`` for a ballot without participant (pabulib imports); and it
keeps every row (SQLite: no table copy that would cascade)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from budgeting.migrate import upgrade


def filled(table: sa.Table, **given: Any) -> dict[str, Any]:
    """``given``, plus a plain value for every other required column."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.DateTime):
            row[column.name] = datetime(2026, 1, 1)
        elif isinstance(kind, sa.Boolean):
            row[column.name] = False
        elif isinstance(kind, sa.Integer | sa.BigInteger | sa.Numeric):
            row[column.name] = 1
        elif isinstance(kind, sa.JSON):
            row[column.name] = {}
        else:
            row[column.name] = f"{table.name}-{column.name}-{len(given)}"
    return row


def test_existing_ballots_get_the_channel_of_their_participant(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}", "0012")
    engine = sa.create_engine(f"sqlite:///{path}")
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(t["rounds"].insert(), filled(t["rounds"], id=1, slug="old"))
        conn.execute(t["areas"].insert(), filled(t["areas"], id=1, round_id=1))
        for pid, channels in ((1, ("telegram", "teams")), (2, ("teams",)), (3, ())):
            conn.execute(t["participants"].insert(), filled(t["participants"], id=pid))
            for channel in channels:
                identity = filled(
                    t["channel_identities"],
                    participant_id=pid,
                    channel=channel,
                    external_id=f"{channel}-{pid}",
                )
                conn.execute(t["channel_identities"].insert(), identity)
        for bid, pid in ((1, 1), (2, 2), (3, 3), (4, None)):
            ballot = filled(
                t["ballots"],
                id=bid,
                round_id=1,
                area_id=1,
                participant_id=pid,
                receipt_code=f"R{bid}",
            )
            conn.execute(t["ballots"].insert(), ballot)
        proposal = filled(t["proposals"], id=1, round_id=1, area_id=1)
        conn.execute(t["proposals"].insert(), proposal)
        rank = {"ballot_id": 1, "position": 0, "proposal_id": 1, "points": None}
        conn.execute(t["ballot_ranks"].insert(), rank)
    engine.dispose()
    upgrade(f"sqlite+aiosqlite:///{path}")
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, channel FROM ballots ORDER BY id")).all()
        allowed = conn.execute(sa.text("SELECT moderators_enter_paper FROM rounds")).scalar()
        ranks = conn.execute(sa.text("SELECT count(*) FROM ballot_ranks")).scalar()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "telegram"), (2, "teams"), (3, "import"), (4, "import")]
    assert not allowed
    assert ranks == 1  # nothing cascaded away
