"""Being told about the discussion: new comments go to the people they concern, batched.

Who: the proposal's author (``COMMENTS_ON_MINE``), the writer of the comment answered
(``REPLIES``) and the proposal's followers (``COMMENTS_FOLLOWED``) — never the writer
of the new comment, and one message even for someone who is several of these (the most
personal reason they did not switch off in /settings names the message). Hidden
comments are not told, neither when stored nor if hidden before the message leaves.

When: the first comment is told at once, later ones wait until the window
(``Round.comment_digest_minutes``, default 3 h) since the last message about that
proposal has passed, and then come together in one message with their count. A
resident who gets an answer wants to hear it while the conversation is alive, so the
first comment is not held back; someone whose idea is being discussed all afternoon
wants one message, not twenty, so what follows is gathered.

How: a batch is one ``Notification`` for one participant (``participant_id``) and one
proposal whose ``payload["params"]["comment_ids"]`` grows while it is still pending
(not claimed by a worker, not delivered; its row is locked while it grows, so a worker
skips it meanwhile). It is written in the comment's transaction, so it is never lost,
and the outbox's unique delivery keeps it from being sent twice. Quiet hours and
opt-outs at sending time are the delivery policy's, as for every kind.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Comment,
    Delivery,
    Follower,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    Round,
)
from budgeting.services.delivery_policy import DeliveryStatus, wants
from budgeting.services.notifications import enqueue

COMMENT_KINDS = (
    NotificationKind.REPLIES,
    NotificationKind.COMMENTS_ON_MINE,
    NotificationKind.COMMENTS_FOLLOWED,
)
"""The kinds of comment messages, the most personal first."""
KIND_VALUES = tuple(kind.value for kind in COMMENT_KINDS)


def most_personal(kinds: set[NotificationKind]) -> NotificationKind:
    """The reason that names a message for someone concerned in several ways."""
    return next(kind for kind in COMMENT_KINDS if kind in kinds)


async def concerned(
    session: AsyncSession, comment: Comment, proposal: Proposal
) -> dict[int, set[NotificationKind]]:
    """Each participant a new comment concerns, with why; never its own writer."""
    reasons: dict[int, set[NotificationKind]] = {}
    if proposal.author_id is not None:
        reasons.setdefault(proposal.author_id, set()).add(NotificationKind.COMMENTS_ON_MINE)
    if comment.reply_to_id is not None:
        answered = await session.scalar(
            select(Comment.author_id).where(Comment.id == comment.reply_to_id)
        )
        if answered is not None:
            reasons.setdefault(answered, set()).add(NotificationKind.REPLIES)
    followers = await session.scalars(
        select(Follower.participant_id).where(Follower.proposal_id == proposal.id)
    )
    for pid in followers:
        reasons.setdefault(pid, set()).add(NotificationKind.COMMENTS_FOLLOWED)
    if comment.author_id is not None:
        reasons.pop(comment.author_id, None)
    return reasons


async def tell_about_comment(
    session: AsyncSession, comment: Comment, now: datetime | None = None
) -> list[Notification]:
    """Put a stored comment into the batches of everyone it concerns (caller's transaction).

    Returns the notifications created or grown. ``now`` defaults to the comment's time.
    """
    if comment.hidden_reason is not None:
        return []
    # Comments on one proposal are told one at a time (PostgreSQL: FOR NO KEY UPDATE of
    # the proposal's row, which the comments' own key-share locks do not block; SQLite
    # has one writer anyway), so two comments stored at once grow one batch per person.
    proposal = await session.get(Proposal, comment.proposal_id, with_for_update={"key_share": True})
    if proposal is None:
        return []
    now = now or comment.created_at
    round_ = await session.get(Round, proposal.round_id)
    window = timedelta(minutes=round_.comment_digest_minutes if round_ else 180)
    reasons = await concerned(session, comment, proposal)
    if not reasons:
        return []
    people = await session.scalars(
        select(Participant).where(Participant.id.in_(sorted(reasons))).order_by(Participant.id)
    )
    told = []
    for person in people:
        kinds = {k for k in reasons[person.id] if wants(person.opt_outs or (), k.value)}
        if kinds:
            told.append(
                await _add_to_batch(session, person.id, proposal, comment, kinds, now, window)
            )
    return told


async def _add_to_batch(
    session: AsyncSession,
    participant_id: int,
    proposal: Proposal,
    comment: Comment,
    kinds: set[NotificationKind],
    now: datetime,
    window: timedelta,
) -> Notification:
    """Grow the participant's pending batch about the proposal, or start one."""
    mine = (
        Notification.participant_id == participant_id,
        Notification.proposal_id == proposal.id,
        Notification.kind.in_(KIND_VALUES),
    )
    delivered = exists().where(
        Delivery.notification_id == Notification.id, Delivery.participant_id == participant_id
    )
    pending = await session.scalar(
        select(Notification)
        .where(*mine, Notification.status == "pending", ~delivered)
        .order_by(Notification.id.desc())
        .limit(1)
        .with_for_update(key_share=True)
    )
    if pending is not None:
        params = dict(pending.payload.get("params") or {})
        params["comment_ids"] = [*params.get("comment_ids", []), comment.id]
        pending.payload = {**pending.payload, "params": params}
        pending.kind = most_personal(kinds | {NotificationKind(pending.kind)}).value
        await session.flush()
        return pending
    last = await session.scalar(
        select(Notification).where(*mine).order_by(Notification.id.desc()).limit(1)
    )
    due = now
    if last is not None:
        outcome = (
            await session.execute(
                select(Delivery.status, Delivery.created_at).where(
                    Delivery.notification_id == last.id, Delivery.participant_id == participant_id
                )
            )
        ).first()
        if outcome is None:  # being sent right now
            due = max(now, last.due_at + window)
        elif outcome.status == DeliveryStatus.SENT:
            due = max(now, max(last.due_at, outcome.created_at) + window)
    return await enqueue(
        session,
        most_personal(kinds),
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        participant_id=participant_id,
        payload={"params": {"proposal_id": proposal.id, "comment_ids": [comment.id]}},
        due_at=due,
    )


async def visible_comments(session: AsyncSession, notification: Notification) -> list[Comment]:
    """The comments of a batch that are still shown (hidden ones are not told), oldest first."""
    ids = [int(i) for i in (notification.payload.get("params") or {}).get("comment_ids", [])]
    if not ids:
        return []
    stmt = (
        select(Comment)
        .where(Comment.id.in_(ids), Comment.hidden_reason.is_(None))
        .order_by(Comment.id)
    )
    return list((await session.scalars(stmt)).all())
