"""The round's parts named as what they are: areas, themes or groups (residents' or
employees'), in the questions the vote and the ideas ask and the labels that show a part."""

from __future__ import annotations

from budgeting.i18n import Translator
from budgeting.models import Audience, Round, SplitKind


def part_label(t: Translator, round_: Round, name: str) -> str:
    """``Area: Norr``, ``Theme: Culture`` or ``Group: Young people 13–19``."""
    if round_.split_kind == SplitKind.THEME:
        return t.gettext("Theme: {theme}").format(theme=name)
    if round_.split_kind == SplitKind.GROUP:
        return t.gettext("Group: {group}").format(group=name)
    return t.gettext("Area: {area}").format(area=name)


def vote_question(t: Translator, round_: Round) -> str:
    """The question that asks for the part a person votes in."""
    employees = round_.audience == Audience.EMPLOYEES
    if round_.split_kind == SplitKind.THEME:
        if round_.one_ballot_per_part:
            return t.gettext(
                "You can vote in each theme, one ballot per theme. "
                "Which theme do you want to vote on?"
            )
        return t.gettext(
            "You vote on the projects of one theme. Which theme do you want to vote on?"
        )
    if round_.split_kind == SplitKind.GROUP:
        if employees:
            return t.gettext(
                "Each group of employees votes on its own projects. Which group do you work in? "
                "You answer this once; it cannot be changed later."
            )
        return t.gettext(
            "Each group votes on its own projects. Which group do you belong to? "
            "You answer this once; it cannot be changed later."
        )
    if employees:
        return t.gettext("You vote on the projects of one area. Which area do you work in?")
    return t.gettext("You vote on the projects of one area. Which area do you live in?")


def idea_question(t: Translator, round_: Round) -> str:
    """The question that asks which part an idea is filed under."""
    if round_.split_kind == SplitKind.THEME:
        return t.gettext("Which theme is your idea for?")
    if round_.split_kind == SplitKind.GROUP:
        if round_.audience == Audience.EMPLOYEES:
            return t.gettext("Which group of employees is your idea for?")
        return t.gettext("Which group is your idea for?")
    return t.gettext("Which area is your idea for?")


def group_kept(t: Translator, name: str) -> str:
    """Said when voting starts in the group a person declared earlier."""
    return t.gettext("You vote in your group: {group}.").format(group=name)


def replaces_in_part(t: Translator, name: str, code: str) -> str:
    """Said where a person votes in each theme and already voted in this one."""
    return t.gettext(
        "You have already voted in {theme} (receipt {code}). If you vote again, your new "
        "ballot replaces that one; your ballots in the other themes stay as they are."
    ).format(theme=name, code=code)


def browse_question(t: Translator, round_: Round) -> str:
    """The question that asks which part's proposals to look at."""
    if round_.split_kind == SplitKind.THEME:
        return t.gettext("Which theme do you want to look at?")
    if round_.split_kind == SplitKind.GROUP:
        return t.gettext("Which group do you want to look at?")
    return t.gettext("Which area do you want to look at?")


def budget_button(t: Translator, round_: Round | None) -> str:
    """The /about section with the budget and each part's share."""
    kind = round_.split_kind if round_ is not None else SplitKind.AREA
    if kind == SplitKind.THEME:
        return t.gettext("Budget and themes")
    if kind == SplitKind.GROUP:
        return t.gettext("Budget and groups")
    return t.gettext("Budget and areas")


def budget_shares(t: Translator, round_: Round) -> str:
    """``The budget is {budget}, shared between the themes:`` (``{budget}`` to fill in)."""
    if round_.split_kind == SplitKind.THEME:
        return t.gettext("The budget is {budget}, shared between the themes:")
    if round_.split_kind == SplitKind.GROUP:
        return t.gettext("The budget is {budget}, shared between the groups:")
    return t.gettext("The budget is {budget}, shared between the areas:")
