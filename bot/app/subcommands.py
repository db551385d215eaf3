"""CLI commands: tally, export, import, voting codes, staff users, the Teams app package."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys

from budgeting.i18n import Translator, translator
from budgeting.settings import Settings


async def tally(settings: Settings, args: argparse.Namespace) -> int:
    """Print the selected project ids (one per line or JSON); ``--explain`` adds the trace.

    A pabulib file is counted with the rule its META names unless ``--rule`` is given; a
    file that cannot be counted gets one line on stderr and exit status 2.
    """
    from budgeting.pabulib import rule_from_pabulib
    from budgeting.tally import RULES

    t = translator(args.lang or settings.default_locale)
    rule = args.rule if args.rule in RULES or not args.rule else rule_from_pabulib(args.rule)
    if args.pabulib is not None:
        return _tally_file(args, rule, t)
    from bot.app.bootstrap import open_runtime
    from budgeting.services.rounds import load_round
    from budgeting.services.tally import count_round, explain_run

    runtime = await open_runtime(settings)
    try:
        async with runtime.sessions() as session, session.begin():
            round_ = await load_round(session, args.round_id)
            if round_ is None:
                print(f"no round {args.round_id}", file=sys.stderr)
                return 2
            runs = await count_round(session, round_, rule or "greedy", seed=args.seed)
            selected = [pid for run in runs for pid in run.result["selected"]]
            lines = []
            if args.explain:
                for run in runs:
                    area = next(a for a in round_.areas if a.id == run.area_id)
                    lines += [f"== {area.name(t.locale)} ==", *explain_run(run, t.locale), ""]
            _print_result(
                args, selected, {"areas": {str(r.area_id): r.result for r in runs}}, lines
            )
    finally:
        await runtime.close()
    return 0


def _tally_file(args: argparse.Namespace, rule: str | None, t: Translator) -> int:
    """Count a pabulib file; a file that cannot be counted is one line on stderr, status 2."""
    from budgeting.pabulib import tally_pabulib
    from budgeting.services.pabulib_import import FILE_PROBLEMS, cannot_count
    from budgeting.tally.explain import explain_lines

    try:
        inp, result = tally_pabulib(args.pabulib, rule)
    except FILE_PROBLEMS as problem:
        print(cannot_count(t.gettext, str(args.pabulib), problem), file=sys.stderr)
        return 2
    note = t.gettext("Equal points were ordered as the projects are listed.")
    lines = explain_lines(result, inp, t.gettext, t.money, t.number, note) if args.explain else []
    _print_result(args, list(result.selected), result.to_dict(), lines)
    return 0


def _print_result(
    args: argparse.Namespace, selected: list[str], data: dict, lines: list[str]
) -> None:
    if args.json:
        if lines:
            data = {**data, "explanation": lines}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in lines:
        print(line)
    for pid in selected:
        print(pid)


async def export(settings: Settings, args: argparse.Namespace) -> int:
    """Write a round's ballots (pabulib, anonymised) or proposals (CSV) to a file."""
    from bot.app.bootstrap import open_runtime
    from budgeting.services.exchange import export_pabulib, proposals_csv
    from budgeting.services.rounds import load_round

    runtime = await open_runtime(settings)
    try:
        async with runtime.sessions() as session:
            round_ = await load_round(session, args.round_id)
            if round_ is None:
                print(f"no round {args.round_id}", file=sys.stderr)
                return 2
            if args.format == "csv":
                args.output.write_text(await proposals_csv(session, round_), encoding="utf-8")
                print(args.output)
                return 0
            areas = [a for a in round_.areas if args.area in (None, a.id)]
            if not areas:
                print(f"no area {args.area} in round {round_.id}", file=sys.stderr)
                return 2
            for area in areas:
                path = args.output
                if len(areas) > 1:
                    path = path.with_name(f"{path.stem}_area{area.id}{path.suffix or '.pb'}")
                path.write_text(await export_pabulib(session, round_, area.id), encoding="utf-8")
                print(path)
    finally:
        await runtime.close()
    return 0


async def import_(settings: Settings, args: argparse.Namespace) -> int:
    """Create a closed round from a pabulib file and print its id; a file that cannot be
    counted gets one line on stderr and exit status 2 (the admin's upload says the same)."""
    from bot.app.bootstrap import open_runtime
    from budgeting.services.pabulib_import import (
        FILE_PROBLEMS,
        cannot_count,
        import_pabulib_file,
        read_pabulib_file,
    )

    try:
        file = read_pabulib_file(args.pabulib)
    except FILE_PROBLEMS as problem:
        t = translator(args.lang or settings.default_locale)
        print(cannot_count(t.gettext, str(args.pabulib), problem), file=sys.stderr)
        return 2
    runtime = await open_runtime(settings)
    try:
        async with runtime.sessions() as session, session.begin():
            round_ = await import_pabulib_file(session, file)
            round_id = round_.id
    finally:
        await runtime.close()
    print(round_id)
    return 0


async def voting_codes(settings: Settings, args: argparse.Namespace) -> int:
    """Generate one-time voting codes and write them as CSV (to print on letters)."""
    from bot.app.bootstrap import open_runtime
    from budgeting.services.rounds import load_round
    from budgeting.services.voting_codes import generate_codes

    runtime = await open_runtime(settings)
    try:
        async with runtime.sessions() as session, session.begin():
            round_ = await load_round(session, args.round_id)
            if round_ is None:
                print(f"no round {args.round_id}", file=sys.stderr)
                return 2
            codes = await generate_codes(session, round_, args.count)
    finally:
        await runtime.close()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "voting_code"])
    writer.writerows(enumerate(codes, start=1))
    args.output.write_text(out.getvalue(), encoding="utf-8")
    print(f"{len(codes)} codes written to {args.output}")
    return 0


async def user(settings: Settings, args: argparse.Namespace) -> int:
    """Add a staff user; the password is read from stdin (first line).

    A password that breaks the rule (``web_admin.password_strength``) is refused with
    the reason on stderr, in ``BUDGETBOT_DEFAULT_LOCALE``, and exit status 2.
    """
    from bot.app.bootstrap import open_runtime
    from budgeting.services.errors import RuleViolation
    from web_admin.accounts import add_user, password_problem

    password = sys.stdin.readline().rstrip("\r\n")
    t = translator(settings.default_locale)
    problem = password_problem(password, args.email)  # before touching the database
    if problem is None:
        runtime = await open_runtime(settings)
        try:
            async with runtime.sessions() as session, session.begin():
                await add_user(session, args.email, password, args.role)
        except RuleViolation as refused:
            problem = refused
        finally:
            await runtime.close()
    if problem is not None:
        reason = t.gettext(problem.message or problem.code).format(**problem.params)
        print(t.gettext("Not added: {reason}").format(reason=reason), file=sys.stderr)
        return 2
    print(f"staff user {args.email} added as {args.role}")
    return 0


async def teams_package(settings: Settings, args: argparse.Namespace) -> int:
    """Write the Teams app package for ``BUDGETBOT_TEAMS_APP_ID`` and ``BUDGETBOT_PUBLIC_URL``."""
    from bot.channels.teams.package import package

    if not settings.teams_app_id:
        print("Set BUDGETBOT_TEAMS_APP_ID (the bot's application id) first.", file=sys.stderr)
        return 2
    if not settings.public_url.startswith("https://"):
        print(
            "Teams reaches the bot only over HTTPS: set BUDGETBOT_PUBLIC_URL to the "
            f"https:// address of this server (it is {settings.public_url}).",
            file=sys.stderr,
        )
        return 2
    if not re.fullmatch(r"\d{1,9}\.\d{1,9}\.\d{1,9}", args.version):
        print("--version must look like 1.0.0 (Teams requires it).", file=sys.stderr)
        return 2
    args.output.write_bytes(
        package(settings.teams_app_id, settings.public_url, args.developer, args.version)
    )
    print(f"wrote {args.output}: upload it in the Teams admin center (Manage apps → Upload)")
    return 0
