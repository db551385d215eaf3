"""How voting works, worded for the round's ballot kind and audience (menus, /about, news)."""

from __future__ import annotations

from budgeting.i18n import Translator
from budgeting.models import Audience, BallotKind, Round


def vote_command_help(t: Translator, round_: Round | None) -> str:
    """What /vote does in this round, for /help."""
    kind = round_.ballot_kind if round_ is not None else None
    if kind == BallotKind.APPROVAL:
        return t.gettext("choose your favourite projects")
    if kind == BallotKind.CUMULATIVE:
        return t.gettext("spread your points over the projects")
    if kind == BallotKind.RANKED:
        return t.gettext("rank your favourite projects")
    return t.gettext("vote on the projects of your area")


def voting_step(t: Translator, round_: Round) -> str:
    """The voting step of the round's eight steps: who does what."""
    employees = round_.audience == Audience.EMPLOYEES
    if round_.ballot_kind == BallotKind.APPROVAL:
        if employees:
            return t.gettext("employees choose among the proposals on the ballot")
        return t.gettext("residents choose among the proposals on the ballot")
    if round_.ballot_kind == BallotKind.CUMULATIVE:
        if employees:
            return t.gettext("employees spread their points over the proposals on the ballot")
        return t.gettext("residents spread their points over the proposals on the ballot")
    if employees:
        return t.gettext("employees rank the proposals on the ballot")
    return t.gettext("residents rank the proposals on the ballot")


def how_voting_works(t: Translator, round_: Round) -> str:
    """The answer to "How does voting work?" for the round's ballot kind."""
    if round_.ballot_kind == BallotKind.APPROVAL:
        k = round_.max_ranks
        return t.ngettext(
            "How does voting work? You choose up to {k} project of your area; each project "
            "you choose gets one vote. The projects with the most votes win, as long as they "
            "fit in the area's budget.",
            "How does voting work? You choose up to {k} projects of your area; each project "
            "you choose gets one vote. The projects with the most votes win, as long as they "
            "fit in the area's budget.",
            k,
        ).format(k=k)
    if round_.ballot_kind == BallotKind.CUMULATIVE:
        n, m = round_.points_total, round_.points_per_project
        spread = t.ngettext(
            "How does voting work? You spread {n} point over the projects of your area.",
            "How does voting work? You spread {n} points over the projects of your area.",
            n,
        ).format(n=n)
        most = t.ngettext(
            "One project can get at most {m} point from you. The projects with the most "
            "points win, as long as they fit in the area's budget.",
            "One project can get at most {m} points from you. The projects with the most "
            "points win, as long as they fit in the area's budget.",
            m,
        ).format(m=m)
        return f"{spread} {most}"
    k = round_.max_ranks
    return t.ngettext(
        "How does voting work? You rank up to {k} project of your area. Your first choice "
        "gets {k} point, the next one point less, and so on. The projects with the most "
        "points win, as long as they fit in the area's budget.",
        "How does voting work? You rank up to {k} projects of your area. Your first choice "
        "gets {k} points, the next one point less, and so on. The projects with the most "
        "points win, as long as they fit in the area's budget.",
        k,
    ).format(k=k)


def voting_opens(t: Translator, round_: Round, end: str) -> str:
    """The news that voting is open, saying what to do until ``end``."""
    if round_.ballot_kind == BallotKind.APPROVAL:
        k = round_.max_ranks
        return t.ngettext(
            "Voting is open! Choose up to {k} project you want until {end}.",
            "Voting is open! Choose up to {k} projects you want until {end}.",
            k,
        ).format(k=k, end=end)
    if round_.ballot_kind == BallotKind.CUMULATIVE:
        n = round_.points_total
        return t.ngettext(
            "Voting is open! Spread your {n} point over the projects you want until {end}.",
            "Voting is open! Spread your {n} points over the projects you want until {end}.",
            n,
        ).format(n=n, end=end)
    return t.gettext("Voting is open! Rank your favourite projects until {end}.").format(end=end)
