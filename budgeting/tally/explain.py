"""A step-by-step account of a tally that a resident can follow.

Every sentence is a literal ``_("...")`` call (English msgid, named placeholders) and is
filled with ``.format(...)`` after translation, so Babel can extract it.  Amounts go
through ``money`` and counts through ``number``, both supplied by the caller's locale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from budgeting.tally.model import (
    APPROVAL,
    BELOW_MINIMUM,
    CUMULATIVE,
    GREEDY_NO_SKIP,
    MES,
    STOPPED,
    GreedyStep,
    MesLeftover,
    MesStep,
    TallyInput,
    TallyResult,
    Tie,
)

Translate = Callable[[str], str]
Format = Callable[[int], str]


def file_order_note(_: Translate) -> str:
    """Tie-break note (a sentence) for a pabulib file."""
    return _("Ties are broken by the order of the projects in the file.")


def lot_note(seed: int, _: Translate) -> str:
    """Tie-break note (a sentence) for a lot drawn with ``seed``; see :mod:`.lot`."""
    return _(
        "Ties are broken by a lot drawn with seed {seed}: the projects are sorted by the "
        "SHA-256 hash of “{seed}:project id”."
    ).format(seed=seed)


def explain_lines(
    result: TallyResult,
    inp: TallyInput,
    _: Translate,
    money: Format,
    number: Format,
    tie_break_note: str | None = None,
) -> list[str]:
    """The explanation of ``result``, one sentence (or a few) per line.

    ``inp`` supplies the projects' names, the tie-break order and K (its ballots are not
    needed).  ``tie_break_note`` is a sentence saying how ties are broken (see
    :func:`file_order_note` and :func:`lot_note`); it is shown once, before the first tie.
    """
    words = _Words(inp, _, money, number, tie_break_note)
    lines = _mes_lines(result, words) if result.rule == MES else _greedy_lines(result, words)
    lines.append(
        _(
            "Selected {count} of {total} projects for {spent}; "
            "{left} of the budget of {budget} is left."
        ).format(
            count=number(len(result.selected)),
            total=number(len(inp.projects)),
            spent=money(result.spent),
            left=money(result.left),
            budget=money(result.budget),
        )
    )
    return lines


class _Words:
    """Phrases shared by the sentences."""

    def __init__(
        self,
        inp: TallyInput,
        _: Translate,
        money: Format,
        number: Format,
        tie_break_note: str | None,
    ) -> None:
        self.inp = inp
        self._ = _
        self.money = money
        self.number = number
        self.note = tie_break_note or _("Ties are broken by the round's tie-break order.")
        self.noted = False
        self.names = {p.id: p.name for p in inp.projects}
        self.cost_shares = False  # MES with cost utilities (approval ballots)

    def project(self, project_id: str) -> str:
        _ = self._
        name = self.names.get(project_id, "")
        if name:
            return _("“{name}” (project {id})").format(name=name, id=project_id)
        return _("Project {id}").format(id=project_id)

    def points(self, count: int) -> str:
        _ = self._
        if count == 1:
            return _("1 point")
        return _("{count} points").format(count=self.number(count))

    def score(self, count: int) -> str:
        """Points, or votes on approval ballots."""
        _ = self._
        if self.inp.kind != APPROVAL:
            return self.points(count)
        if count == 1:
            return _("1 vote")
        return _("{count} votes").format(count=self.number(count))

    def supporters(self, count: int) -> str:
        _ = self._
        if count == 1:
            return _("1 supporter")
        return _("{count} supporters").format(count=self.number(count))

    def voters(self, count: int) -> str:
        _ = self._
        if count == 1:
            return _("1 voter")
        return _("{count} voters").format(count=self.number(count))

    def amount(self, value: Fraction | int) -> str:
        """Money; a fraction is rounded to a whole amount and marked as approximate."""
        if isinstance(value, Fraction) and value.denominator != 1:
            return self._("about {amount}").format(amount=self.money(round(value)))
        return self.money(int(value))

    def listing(self, items: Sequence[str]) -> str:
        """ "A, B and C"."""
        if len(items) == 1:
            return items[0]
        return self._("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])

    def order(self, items: Sequence[str]) -> str:
        """ "A, then B, then C"."""
        text = items[0]
        for item in items[1:]:
            text = self._("{earlier}, then {later}").format(earlier=text, later=item)
        return text

    def scoring(self) -> str:
        if self.inp.kind == APPROVAL:
            return self._("Each ballot gives one vote to each project it chooses.")
        if self.inp.kind == CUMULATIVE:
            return self._("Each ballot gives each project the points the voter put on it.")
        return self._(
            "On each ballot, first place gets {points} and each place below gets one point less."
        ).format(points=self.points(self.inp.max_ranks))

    def tie(self, tie: Tie, greedy: bool) -> list[str]:
        """The tie (after the tie-break note, the first time)."""
        _ = self._
        labels = [self.project(pid) for pid in tie.project_ids]
        if greedy:
            text = _("{projects} had {points} each, so the tie-break order decides: {order}.")
        elif self.cost_shares:
            text = _(
                "{projects} could be bought with each supporter paying the same part of the "
                "cost, so the tie-break order decides: {order}."
            )
        else:
            text = _(
                "{projects} could be bought at the same price per point, "
                "so the tie-break order decides: {order}."
            )
        points = self.score(int(tie.value)) if greedy else ""
        lines = [] if self.noted else [self.note]
        self.noted = True
        lines.append(
            text.format(projects=self.listing(labels), points=points, order=self.order(labels))
        )
        return lines


def _greedy_lines(result: TallyResult, w: _Words) -> list[str]:
    _ = w._
    if result.rule == GREEDY_NO_SKIP:
        walk = _(
            "Projects are taken from most to fewest points and selected while they fit in the "
            "budget of {budget}; the count stops at the first one that does not fit."
        )
    else:
        walk = _(
            "Projects are taken from most to fewest points; each one that still fits in the "
            "budget of {budget} is selected."
        )
    lines = [
        _("Rule: most points first.") + " " + w.scoring(),
        walk.format(budget=w.money(result.budget)),
    ]
    announced: set[Tie] = set()
    for step in result.steps:
        if not isinstance(step, GreedyStep):
            continue
        if step.tie is not None and step.tie not in announced:
            announced.add(step.tie)
            lines.extend(w.tie(step.tie, greedy=True))
        if step.outcome == BELOW_MINIMUM:
            text = _("{project} had {points}, less than the {minimum} needed, so it was skipped.")
        elif step.outcome == STOPPED:
            text = _(
                "{project} had {points} and cost {cost}; the count stopped at the first "
                "project that did not fit, so it was not selected."
            )
        elif step.selected:
            text = _("{project} had {points} and cost {cost}; {left} was left, so it was selected.")
        else:
            text = _(
                "{project} had {points} and cost {cost}; it did not fit in the {left} left, "
                "so it was skipped."
            )
        lines.append(
            text.format(
                project=w.project(step.project_id),
                points=w.score(step.points),
                cost=w.money(step.cost),
                left=w.money(step.remaining_before),
                minimum=w.score(result.min_score),
            )
        )
    return lines


def _mes_lines(result: TallyResult, w: _Words) -> list[str]:
    _ = w._
    summary = result.mes
    w.cost_shares = summary is not None and summary.satisfaction == "cost"
    lines = [_("Rule: Method of Equal Shares.") + " " + w.scoring()]
    if summary is not None and summary.voters:
        lines.append(
            _("The budget of {budget} is split equally among {voters}: {share} each.").format(
                budget=w.money(result.budget),
                voters=w.voters(summary.voters),
                share=w.amount(summary.initial_voter_budget),
            )
        )
        lines.append(_completion(summary.increments, summary.stop, summary.voter_budget, w))
    if w.cost_shares:
        rounds = _(
            "Round by round, the project bought is the one whose supporters can pay for it with "
            "the smallest part of its cost each: every supporter pays the same amount, or "
            "everything they have left if that is less."
        )
    else:
        rounds = _(
            "Round by round, the project that its supporters can pay for at the lowest price "
            "per point is bought: each supporter pays that price times the points they gave it, "
            "or everything they have left if that is less."
        )
    lines.append(rounds)
    for project_id in summary.free_project_ids if summary else ():
        text = _("{project} costs nothing and is selected first.")
        lines.append(text.format(project=w.project(project_id)))
    for step in result.steps:
        if isinstance(step, MesStep):
            lines.extend(_mes_step(step, w))
        elif isinstance(step, MesLeftover) and step.cost > 0:
            lines.append(_mes_leftover(step, w))
    return lines


def _completion(increments: int, stop: str, share: Fraction, w: _Words) -> str:
    _ = w._
    if increments == 0:
        if stop == "exhaustive":
            return _("Nothing else that fits could have been added, so the shares were not raised.")
        return _(
            "Raising every share by one unit would have bought more than the budget allows, so "
            "the shares were not raised."
        )
    times = _("once") if increments == 1 else _("{count} times").format(count=w.number(increments))
    if stop == "exhaustive":
        text = _(
            "To spend more of the budget, every share was raised by one unit at a time, {times}, "
            "to {share}, until nothing else that fits could be added."
        )
    else:
        text = _(
            "To spend more of the budget, every share was raised by one unit at a time, {times}, "
            "to {share}; one more raise would have bought more than the budget allows."
        )
    return text.format(times=times, share=w.amount(share))


def _mes_step(step: MesStep, w: _Words) -> list[str]:
    _ = w._
    lines = []
    if step.tie is not None:
        lines.extend(w.tie(step.tie, greedy=False))
    if w.cost_shares:
        text = _("{project} had {points} and cost {cost}; each supporter paid {price}.")
    else:
        text = _("{project} had {points} and cost {cost}; it was bought at {price} per point.")
    lines.append(
        text.format(
            project=w.project(step.project_id),
            points=w.score(step.points),
            cost=w.money(step.cost),
            price=w.amount(step.price_per_point),
        )
    )
    for share in () if w.cost_shares else step.shares:
        lines.append(
            _("{supporters} who gave it {points} paid {amount} each.").format(
                supporters=w.supporters(share.voters),
                points=w.points(share.points),
                amount=w.amount(share.amount),
            )
        )
    if step.exhausted and step.exhausted_paid:
        text = _(
            "{supporters} had less than their share left and paid all they had, {amount} together."
        )
        lines.append(
            text.format(
                supporters=w.supporters(step.exhausted), amount=w.amount(step.exhausted_paid)
            )
        )
    elif step.exhausted:
        lines.append(
            _("{supporters} had nothing left to pay with.").format(
                supporters=w.supporters(step.exhausted)
            )
        )
    return lines


def _mes_leftover(step: MesLeftover, w: _Words) -> str:
    _ = w._
    if step.supporters == 0:
        return _("{project} (cost {cost}) was not bought: nobody ranked it.").format(
            project=w.project(step.project_id), cost=w.money(step.cost)
        )
    return _(
        "{project} (cost {cost}) was not bought: "
        "its {supporters} had only {money} left between them."
    ).format(
        project=w.project(step.project_id),
        cost=w.money(step.cost),
        supporters=w.supporters(step.supporters),
        money=w.amount(step.supporters_money),
    )
