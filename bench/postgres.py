"""A clean PostgreSQL database for a benchmark run."""

from __future__ import annotations


async def fresh_postgres(url: str) -> str | None:
    """Create (or empty) the bench database; None with a printed note if unreachable."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    plain = parsed.set(drivername="postgresql")
    dsn = plain.render_as_string(hide_password=False)
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(admin, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        print(f"PostgreSQL skipped: {parsed.host}:{parsed.port} unreachable ({error})")
        return None
    try:
        exists = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
        )
        if not exists:
            await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
    return url
