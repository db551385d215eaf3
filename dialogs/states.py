"""Where a conversation can be: the flows and their steps, as kept in the conversation state.

The values are stored with every participant's dialog state: never change one.
"""

from __future__ import annotations

from enum import StrEnum


class Flow(StrEnum):
    """A flow's name: its router's namespace in button payloads (``vote:pick:12``).

    ``comment``, ``public_name``, ``forget`` and ``withdraw`` are the short flows that the
    discussion, privacy and ideas routers step through; only flows with steps are ever stored.
    """

    ABOUT = "about"
    BROWSE = "browse"
    COMMENT = "comment"
    DISCUSSION = "discussion"
    FLAG = "flag"
    FORGET = "forget"
    IDEAS = "ideas"
    PRIVACY = "privacy"
    PROPOSE = "propose"
    PUBLIC_NAME = "public_name"
    RESULTS = "results"
    SETTINGS = "settings"
    SURVEY = "survey"
    VOTE = "vote"
    WELCOME = "welcome"
    WITHDRAW = "withdraw"


class VoteStep(StrEnum):
    """Casting a ballot: voting code, area, ranking (or choosing, or spreading points), review."""

    CODE = "code"
    AREA = "area"
    RANK = "rank"
    CHOOSE = "choose"
    """Approval ballot: projects toggled on and off."""
    SPREAD = "spread"
    """Cumulative ballot: the points given so far; choose a project."""
    POINTS = "points"
    """Cumulative ballot: how many points the chosen project gets."""
    REVIEW = "review"


class ProposeStep(StrEnum):
    """Submitting an idea, one question at a time."""

    AREA = "area"
    TITLE = "title"
    DESCRIPTION = "description"
    COST = "cost"
    PHOTO = "photo"
    CONFIRM = "confirm"
    SIMILAR = "similar"
    """Similar ideas exist (after the description): look at one, or go on with this one."""


class SurveyStep(StrEnum):
    """The end-of-round survey: the 1–5 questions, then free text."""

    SCALE = "scale"
    COMMENT = "comment"


class BrowseStep(StrEnum):
    """Finding proposals by a word: asked for it, then paging through what it found."""

    WORD = "word"
    FOUND = "found"
    """Search results shown; ``data["word"]`` is the word, for the paging buttons."""


class CommentStep(StrEnum):
    """Writing a comment on a proposal (or a reply), or choosing the name to sign with."""

    TEXT = "text"
    OFFER = "offer"
    """Text typed under a proposal: post it as a comment?"""
    SIGNATURE = "signature"
    """The first comment: sign with the pseudonym or a name of one's own?"""
    NAME = "name"
    """Typing a name of one's own."""


class ConfirmStep(StrEnum):
    """The one step of withdrawing an idea or erasing one's data: yes or no."""

    CONFIRM = "confirm"
