"""The residents' discussion: comments with replies and agreement, supports, public names,
and following proposals.

A comment is signed by its writer's public name (chosen, or a stable pseudonym), by the
round's organisation when staff answer, or as a deleted user once the writer asked to be
forgotten. Threads are one level deep: a reply to a reply attaches to the comment that
opened the thread.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import LANGUAGES, translator
from budgeting.i18n import _ as N_
from budgeting.models import (
    Audience,
    Comment,
    CommentAgreement,
    Follower,
    Participant,
    Proposal,
    Round,
    StaffUser,
    Support,
    utcnow,
)
from budgeting.services import rules
from budgeting.services.comment_notices import tell_about_comment
from budgeting.services.errors import RuleViolation
from budgeting.services.proposals import clean_text

COMMENT_MAX_LENGTH = 1000
PAGE_SIZE = 5
RESIDENT_PSEUDONYM = N_("Resident {number}")
EMPLOYEE_PSEUDONYM = N_("Employee {number}")
DELETED_WRITER = N_("deleted user")


class WriterKind(StrEnum):
    """Who signs a comment."""

    NAMED = "named"
    """A participant with a name of their own choosing."""
    PSEUDONYM = "pseudonym"
    STAFF = "staff"
    """An answer from staff, signed with the round's organisation."""
    DELETED = "deleted"


@dataclass(frozen=True)
class Writer:
    """How a comment is signed: the kind, with the name or the pseudonym's number."""

    kind: WriterKind
    name: str | None = None
    number: int | None = None
    employees: bool = False
    """A pseudonym in an employees' round (``Employee 4821``, not ``Resident 4821``)."""


@dataclass(frozen=True)
class CommentView:
    """A comment as a reader sees it: signed, with its agreement and what it answers."""

    comment: Comment
    writer: Writer
    agreements: int
    agreed: bool
    """The reader agrees with it."""
    answers: Comment | None = None
    """The comment that opened the thread this reply is in (None: not a reply, or hidden)."""
    answers_writer: Writer | None = None


@dataclass(frozen=True)
class CommentPage:
    """One page of a proposal's visible comments, newest first (page 1 is the newest)."""

    comments: list[CommentView]
    page: int
    pages: int
    total: int


def writer_of(round_: Round, comment: Comment, author: Participant | None) -> Writer:
    """How ``comment`` is signed in ``round_``."""
    if comment.staff_user_id is not None:
        return Writer(WriterKind.STAFF, round_.organisation)
    if author is None:
        return Writer(WriterKind.DELETED)
    return participant_writer(round_, author)


def participant_writer(round_: Round | None, participant: Participant) -> Writer:
    """The signature ``participant`` writes under."""
    if participant.public_name:
        return Writer(WriterKind.NAMED, participant.public_name)
    return pseudonym_writer(round_, participant)


def pseudonym_writer(round_: Round | None, participant: Participant) -> Writer:
    """The stable pseudonym of ``participant`` (``Employee …`` in an employees' round)."""
    employees = round_ is not None and round_.audience == Audience.EMPLOYEES
    return Writer(
        WriterKind.PSEUDONYM, number=rules.pseudonym_number(participant.id), employees=employees
    )


def reserved_names(round_: Round | None) -> frozenset[str]:
    """What nobody may sign as: the organisation, "deleted user" and the pseudonym words,
    in every language."""
    words: set[str] = set()
    for code in LANGUAGES:
        t = translator(code)
        words.add(t.gettext(DELETED_WRITER).casefold())
        for msgid in (RESIDENT_PSEUDONYM, EMPLOYEE_PSEUDONYM):
            words.add(t.gettext(msgid).replace("{number}", "").strip().casefold())
    if round_ is not None and round_.organisation:
        words.add(" ".join(round_.organisation.casefold().split()))
    return frozenset(words)


def clean_name(name: str) -> str:
    """Unicode normalised, white space collapsed to single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).split())


async def set_public_name(
    session: AsyncSession, participant: Participant, name: str | None, round_: Round | None
) -> None:
    """Sign from now on with ``name`` (checked, and not taken by another person) or, with
    None, with the stable pseudonym. Earlier comments change their signature too."""
    if name is None:
        participant.public_name = None
        await session.flush()
        return
    name = clean_name(name)
    rules.check_public_name(name, reserved_names(round_))
    taken = await session.scalar(
        select(Participant.id).where(
            func.lower(Participant.public_name) == name.lower(), Participant.id != participant.id
        )
    )
    if taken is not None:
        raise RuleViolation("public_name_taken")
    participant.public_name = name
    await session.flush()


async def has_commented(session: AsyncSession, participant: Participant) -> bool:
    """True once the participant has written a comment (and so has chosen a signature)."""
    stmt = select(Comment.id).where(Comment.author_id == participant.id).limit(1)
    return (await session.scalar(stmt)) is not None


def check_body(body: str) -> str:
    """The cleaned text of a comment, or RuleViolation if empty or too long."""
    body = clean_text(body)
    if not body:
        raise RuleViolation("comment_empty")
    if len(body) > COMMENT_MAX_LENGTH:
        raise RuleViolation("comment_too_long", length=len(body), limit=COMMENT_MAX_LENGTH)
    return body


async def add_comment(
    session: AsyncSession,
    proposal: Proposal,
    author: Participant,
    body: str,
    reply_to: Comment | None = None,
    now: datetime | None = None,
) -> Comment:
    """Store a resident's comment, or their reply to ``reply_to`` (a comment on the same
    proposal). The returned comment's ``reply_to_id`` names the comment that opened the
    thread, whose writer is the one answered."""
    comment = Comment(
        proposal_id=proposal.id,
        author_id=author.id,
        body=check_body(body),
        reply_to_id=_root(proposal, reply_to),
        created_at=now or utcnow(),
    )
    session.add(comment)
    await session.flush()
    await tell_about_comment(session, comment, now)
    return comment


async def add_staff_answer(
    session: AsyncSession,
    staff: StaffUser,
    proposal: Proposal,
    body: str,
    reply_to: Comment | None = None,
    now: datetime | None = None,
) -> Comment:
    """Store a staff answer on a proposal (or to one of its comments), signed with the
    round's organisation."""
    comment = Comment(
        proposal_id=proposal.id,
        staff_user_id=staff.id,
        body=check_body(body),
        reply_to_id=_root(proposal, reply_to),
        created_at=now or utcnow(),
    )
    session.add(comment)
    await session.flush()
    await tell_about_comment(session, comment, now)
    return comment


def _root(proposal: Proposal, reply_to: Comment | None) -> int | None:
    if reply_to is None:
        return None
    if reply_to.proposal_id != proposal.id or reply_to.hidden_reason is not None:
        raise RuleViolation("comment_unavailable")
    return rules.thread_root(reply_to)


async def visible_comment(session: AsyncSession, round_: Round, comment_id: int) -> Comment:
    """A comment residents may see in ``round_``, or RuleViolation."""
    comment = await session.get(Comment, comment_id)
    if comment is None or comment.hidden_reason is not None:
        raise RuleViolation("comment_unavailable")
    proposal = await session.get(Proposal, comment.proposal_id)
    if proposal is None or proposal.round_id != round_.id:
        raise RuleViolation("comment_unavailable")
    return comment


async def comment_page(
    session: AsyncSession,
    round_: Round,
    proposal: Proposal,
    reader: Participant,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> CommentPage:
    """Page ``page`` of the proposal's visible comments, newest first; past the last page,
    the last page."""
    visible = (Comment.proposal_id == proposal.id, Comment.hidden_reason.is_(None))
    total = await session.scalar(select(func.count()).select_from(Comment).where(*visible)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    found = list(
        (
            await session.scalars(
                select(Comment)
                .where(*visible)
                .order_by(Comment.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        ).all()
    )
    roots = await _comments(session, {c.reply_to_id for c in found if c.reply_to_id})
    writers = await _participants(
        session, {c.author_id for c in [*found, *roots.values()] if c.author_id}
    )
    counts = await agreement_counts(session, [c.id for c in found])
    mine = await _agreed(session, reader, [c.id for c in found])

    def signed(comment: Comment) -> Writer:
        author = writers.get(comment.author_id) if comment.author_id else None
        return writer_of(round_, comment, author)

    views = []
    for comment in found:
        root = roots.get(comment.reply_to_id) if comment.reply_to_id else None
        if root is not None and root.hidden_reason is not None:
            root = None
        views.append(
            CommentView(
                comment=comment,
                writer=signed(comment),
                agreements=counts.get(comment.id, 0),
                agreed=comment.id in mine,
                answers=root,
                answers_writer=signed(root) if root is not None else None,
            )
        )
    return CommentPage(views, page, pages, total)


async def answered_in_thread(session: AsyncSession, comment: Comment) -> Comment:
    """The comment a reply to ``comment`` quotes: the one that opened its thread (threads
    are one level deep), or ``comment`` itself if that one is gone or hidden."""
    if comment.reply_to_id is None:
        return comment
    root = await session.get(Comment, comment.reply_to_id)
    return root if root is not None and root.hidden_reason is None else comment


async def comment_writer(session: AsyncSession, round_: Round, comment: Comment) -> Writer:
    """How one comment is signed."""
    author = await session.get(Participant, comment.author_id) if comment.author_id else None
    return writer_of(round_, comment, author)


async def _comments(session: AsyncSession, ids: set[int]) -> dict[int, Comment]:
    if not ids:
        return {}
    found = await session.scalars(select(Comment).where(Comment.id.in_(ids)))
    return {c.id: c for c in found}


async def _participants(session: AsyncSession, ids: set[int]) -> dict[int, Participant]:
    if not ids:
        return {}
    found = await session.scalars(select(Participant).where(Participant.id.in_(ids)))
    return {p.id: p for p in found}


async def agreement_counts(session: AsyncSession, comment_ids: list[int]) -> dict[int, int]:
    """How many people agree with each comment."""
    if not comment_ids:
        return {}
    rows = await session.execute(
        select(CommentAgreement.comment_id, func.count())
        .where(CommentAgreement.comment_id.in_(comment_ids))
        .group_by(CommentAgreement.comment_id)
    )
    return {cid: n for cid, n in rows}


async def _agreed(session: AsyncSession, reader: Participant, comment_ids: list[int]) -> set[int]:
    if not comment_ids:
        return set()
    found = await session.scalars(
        select(CommentAgreement.comment_id).where(
            CommentAgreement.participant_id == reader.id,
            CommentAgreement.comment_id.in_(comment_ids),
        )
    )
    return set(found)


async def agree(
    session: AsyncSession, round_: Round, participant: Participant, comment: Comment, now: datetime
) -> bool:
    """Agree with a comment, or take the agreement back if given already; True if the
    participant agrees now."""
    rules.check_discussion_open(round_, now)
    rules.check_agree(comment, participant.id)
    given = await session.scalar(
        select(CommentAgreement).where(
            CommentAgreement.comment_id == comment.id,
            CommentAgreement.participant_id == participant.id,
        )
    )
    if given is not None:
        await session.delete(given)
        await session.flush()
        return False
    session.add(CommentAgreement(comment_id=comment.id, participant_id=participant.id))
    await session.flush()
    return True


async def support(
    session: AsyncSession,
    round_: Round,
    participant: Participant,
    proposal: Proposal,
    now: datetime,
) -> bool:
    """Support an idea (ideas phase only; never part of the tally); False if the
    participant supported it already."""
    rules.check_support(round_, proposal, participant.id, now)
    if await supports(session, participant, proposal.id):
        return False
    session.add(Support(proposal_id=proposal.id, participant_id=participant.id))
    await session.flush()
    return True


async def supports(session: AsyncSession, participant: Participant, proposal_id: int) -> bool:
    """True if the participant supports the proposal."""
    stmt = select(Support.id).where(
        Support.participant_id == participant.id, Support.proposal_id == proposal_id
    )
    return (await session.scalar(stmt)) is not None


async def support_counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    """Supporters per proposal."""
    if not proposal_ids:
        return {}
    rows = await session.execute(
        select(Support.proposal_id, func.count())
        .where(Support.proposal_id.in_(proposal_ids))
        .group_by(Support.proposal_id)
    )
    return {pid: n for pid, n in rows}


async def comments_on(session: AsyncSession, proposal: Proposal, limit: int = 10) -> list[Comment]:
    """The newest visible comments, oldest of them first."""
    stmt = (
        select(Comment)
        .where(Comment.proposal_id == proposal.id, Comment.hidden_reason.is_(None))
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    return list(reversed((await session.scalars(stmt)).all()))


async def is_following(session: AsyncSession, participant: Participant, proposal_id: int) -> bool:
    """True if the participant follows the proposal."""
    stmt = select(Follower.id).where(
        Follower.participant_id == participant.id, Follower.proposal_id == proposal_id
    )
    return (await session.scalar(stmt)) is not None


async def follow(session: AsyncSession, participant: Participant, proposal: Proposal) -> None:
    """Follow a proposal (idempotent)."""
    if not await is_following(session, participant, proposal.id):
        session.add(Follower(participant_id=participant.id, proposal_id=proposal.id))
        await session.flush()


async def unfollow(session: AsyncSession, participant: Participant, proposal_id: int) -> None:
    """Stop following a proposal (idempotent)."""
    await session.execute(
        delete(Follower).where(
            Follower.participant_id == participant.id, Follower.proposal_id == proposal_id
        )
    )


async def followed(session: AsyncSession, participant: Participant) -> list[Proposal]:
    """Proposals the participant follows."""
    stmt = (
        select(Proposal)
        .join(Follower, Follower.proposal_id == Proposal.id)
        .where(Follower.participant_id == participant.id)
        .order_by(Proposal.id)
    )
    return list((await session.scalars(stmt)).all())
