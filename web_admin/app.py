"""The FastAPI application: health check now; the staff UI mounts here under /admin."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Build the HTTP app around a session factory."""
    app = FastAPI(title="budgetbot", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 when the database answers, 503 otherwise."""
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means unhealthy
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
