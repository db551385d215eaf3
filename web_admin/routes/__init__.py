"""One router per resource; ``ROUTERS`` is the order they are mounted in."""

from __future__ import annotations

from web_admin.routes import (
    account,
    audit,
    auth,
    broadcasts,
    campaigns,
    comments,
    dashboard,
    exports,
    files,
    implementation,
    imports,
    media,
    results,
    review,
    rounds,
    survey,
    users,
    voting,
    voting_codes,
)

ROUTERS = (
    auth.router,
    rounds.router,  # before dashboard: /admin/rounds/new is not a round id
    dashboard.router,
    campaigns.router,
    review.router,
    comments.router,
    voting.router,
    voting_codes.router,
    results.router,
    implementation.router,
    broadcasts.router,
    survey.router,
    exports.router,
    imports.router,
    audit.router,
    users.router,
    account.router,
    media.router,
    files.router,
)
