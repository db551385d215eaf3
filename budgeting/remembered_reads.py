"""Reads kept for the rest of a transaction, until the session writes what they read.

Chat turns handled together in one transaction (a batch) ask for the same things again
and again: the proposals of an area, their comment counts. :func:`remembered` runs such
a read once; the session forgets it as soon as it writes one of the tables the read
depends on (or a table whose rows those tables refer to, since a delete there cascades
into them), and when the transaction ends. So a remembered read is never older than the
session's own last change to what it read. Writes must go through the session
(``session.execute``, a flush): a statement run on ``session.connection()`` directly is
not seen. On PostgreSQL, a remembered read does not see what other transactions commit
in the meantime (a batch lasts milliseconds), as under REPEATABLE READ.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Hashable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import MetaData, Table, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

T = TypeVar("T")
READS = "budgetbot.reads"
Reads = dict[Hashable, tuple[frozenset[str], Any]]


class BudgetSession(Session):
    """The session class of :func:`budgeting.db.session_factory`: it keeps remembered reads."""


async def remembered(
    session: AsyncSession,
    key: Hashable,
    tables: Collection[str],
    read: Callable[[], Awaitable[T]],
) -> T:
    """``read()``'s result, read once until the session writes one of ``tables``.

    The caller must not change what it gets.
    """
    sync = session.sync_session
    if sync.autoflush and (sync.new or sync.dirty or sync.deleted):
        await session.flush()  # as a query would: pending changes count, and are written
    reads: Reads = sync.info.setdefault(READS, {})
    if key in reads:
        return reads[key][1]
    value = await read()
    reads[key] = (frozenset(tables), value)
    return value


def _forget(session: Session, written: set[Table] | None) -> None:
    """Forget the reads that depend on what was written (everything if not known)."""
    reads: Reads | None = session.info.get(READS)
    if not reads:
        return
    if written is None:
        reads.clear()
        return
    changed = set().union(*(_affected(table.metadata, table.name) for table in written))
    for key in [key for key, (tables, _value) in reads.items() if not tables.isdisjoint(changed)]:
        del reads[key]


@cache
def _affected(metadata: MetaData, name: str) -> frozenset[str]:
    """The tables whose rows a write to table ``name`` can change: itself, and those
    that refer to it, directly or through others (ON DELETE CASCADE / SET NULL).

    By name: an ORM statement's table is an annotated copy, not the Table itself."""
    names, todo = {name}, [name]
    while todo:
        target = todo.pop()
        for other in metadata.tables.values():
            if other.name not in names and any(
                fk.column.table.name == target for fk in other.foreign_keys
            ):
                names.add(other.name)
                todo.append(other.name)
    return frozenset(names)


@event.listens_for(BudgetSession, "after_flush")
def _after_flush(session: Session, flush: UOWTransaction) -> None:
    _forget(session, {table for mapper in flush.mappers for table in mapper.tables})


@event.listens_for(BudgetSession, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    _forget(state.session, {table} if isinstance(table, Table) else None)


@event.listens_for(BudgetSession, "after_transaction_end")
def _after_transaction(session: Session, transaction: SessionTransaction) -> None:
    """Commit, rollback or close, of the transaction or a savepoint: nothing read is kept
    (not for the inner transaction of each flush)."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(READS, None)
