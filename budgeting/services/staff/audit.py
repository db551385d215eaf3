"""The audit log of staff actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import AuditEntry, StaffUser


async def audit(
    session: AsyncSession,
    staff: StaffUser | None,
    action: str,
    target: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Record one staff action (no passwords, no participants' personal data)."""
    entry = AuditEntry(
        staff_user_id=staff.id if staff else None, action=action, target=target, details=details
    )
    session.add(entry)
    await session.flush()
    return entry
