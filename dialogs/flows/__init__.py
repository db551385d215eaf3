"""The conversation flows, one router each; an engine composes the routers it is given."""

from __future__ import annotations

from dialogs.flows import (
    about,
    browse,
    discussion,
    flagging,
    ideas,
    privacy,
    propose,
    results,
    settings,
    survey,
    vote,
    welcome,
)
from dialogs.routing import FlowRouter


def all_routers() -> list[FlowRouter]:
    """Every flow's router, for an engine that offers them all."""
    return [
        welcome.router,
        about.router,
        propose.router,
        ideas.router,
        browse.router,
        discussion.router,
        flagging.router,
        vote.router,
        results.router,
        survey.router,
        settings.router,
        privacy.router,
    ]
