"""The ``budgetbot`` command line: demo, serve, chat, seed-demo, db upgrade and the rest."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from budgeting.i18n import LANGUAGES
from budgeting.phases import SCHEDULED, Phase
from budgeting.settings import Settings

PHASE_CHOICES = [phase.value for phase in SCHEDULED]
TALLY_RULES = [
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "mes",
    "equalshares",
    "equalshares/add1",
]


def build_parser() -> argparse.ArgumentParser:
    """All sub-commands and their options."""
    parser = argparse.ArgumentParser(
        prog="budgetbot", description="Participatory budgeting in chat."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="seed a demo round if empty, serve, and open a console chat"
    )
    demo.add_argument("--phase", choices=PHASE_CHOICES, help="put the demo rounds in this phase")
    demo.add_argument("--user", default="demo-resident")
    demo.add_argument("--lang", choices=sorted(LANGUAGES))

    commands.add_parser("serve", help="HTTP app, channels and scheduler in one process")

    chat = commands.add_parser("chat", help="console chat (interactive or piped stdin)")
    chat.add_argument("--user", default="console-user", help="who you are in the console")
    chat.add_argument("--lang", choices=sorted(LANGUAGES), help="language on first contact")

    seed = commands.add_parser("seed-demo", help="create the demo rounds and set their phase")
    seed.add_argument("--phase", choices=PHASE_CHOICES, default=Phase.IDEAS.value)

    tally = commands.add_parser("tally", help="count a round (or a pabulib file) and print winners")
    source = tally.add_mutually_exclusive_group(required=True)
    source.add_argument("round_id", nargs="?", type=int, help="a round in the database")
    source.add_argument("--pabulib", type=Path, help="a pabulib .pb file")
    tally.add_argument(
        "--rule",
        choices=TALLY_RULES,
        help="default: the rule a pabulib file's META names; greedy for a round",
    )
    tally.add_argument("--explain", action="store_true", help="print the step-by-step trace")
    tally.add_argument("--json", action="store_true", help="print JSON")
    tally.add_argument("--seed", type=int, help="the lot's seed (default: drawn now)")
    tally.add_argument("--lang", choices=sorted(LANGUAGES), default=None)

    export = commands.add_parser("export", help="export a round's proposals or ballots")
    export.add_argument("round_id", type=int)
    export.add_argument("--format", choices=["pabulib", "csv"], required=True)
    export.add_argument("--area", type=int, help="area id (pabulib: default every area)")
    export.add_argument("-o", "--output", type=Path, required=True)

    imp = commands.add_parser("import", help="import a pabulib file as a closed round")
    imp.add_argument("--pabulib", type=Path, required=True)
    imp.add_argument("--lang", choices=sorted(LANGUAGES), default=None)

    codes = commands.add_parser("voting-codes", help="generate one-time voting codes as CSV")
    codes.add_argument("round_id", type=int)
    codes.add_argument("--count", type=int, required=True)
    codes.add_argument("-o", "--output", type=Path, required=True)

    user = commands.add_parser("user", help="staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a staff user (password from stdin)")
    add.add_argument("email")
    add.add_argument("--role", choices=["admin", "moderator"], required=True)

    teams = commands.add_parser(
        "teams-package", help="write the Teams app package to upload in the Teams admin center"
    )
    teams.add_argument("-o", "--output", type=Path, default=Path("budgetbot-teams.zip"))
    teams.add_argument("--developer", default="Budgetbot", help="who publishes the app")
    teams.add_argument("--version", default="1.0.0", help="raise it for every new upload")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations")
    return parser


async def seed(settings: Settings, phase: str | None, only_if_empty: bool) -> None:
    """Migrate and seed the demo rounds, optionally only when there are none yet."""
    from bot.app.bootstrap import open_runtime
    from budgeting.demo import demo_exists, seed_demo
    from budgeting.models import utcnow

    runtime = await open_runtime(settings)
    try:
        async with runtime.sessions() as session, session.begin():
            exists = await demo_exists(session)
            if exists and only_if_empty and phase is None:
                return
            await seed_demo(session, utcnow(), Phase(phase or Phase.IDEAS.value))
    finally:
        await runtime.close()


DEMO_ADMIN = "admin@demo.budgetbot"


async def demo_admin(settings: Settings) -> str:
    """Give the demo's admin account a fresh random password and return it."""
    import secrets

    from bot.app.bootstrap import open_runtime
    from web_admin.accounts import add_user, find_user, hash_password

    password = secrets.token_urlsafe(12)
    runtime = await open_runtime(settings, migrate=False)
    try:
        async with runtime.sessions() as session, session.begin():
            user = await find_user(session, DEMO_ADMIN)
            if user is None:
                await add_user(session, DEMO_ADMIN, password, "admin")
            else:
                user.password_hash = await hash_password(password)
    finally:
        await runtime.close()
    return password


async def chat(settings: Settings, user: str, lang: str | None) -> None:
    """Run the console channel until EOF."""
    from bot.app.bootstrap import open_runtime
    from bot.channels.console import ConsoleChannel

    runtime = await open_runtime(settings)
    try:
        await ConsoleChannel(runtime.dialogs.handle, user=user, locale=lang).listen()
    finally:
        await runtime.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``budgetbot`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    from bot.app import subcommands
    from budgeting.i18n import translator
    from budgeting.services.errors import RuleViolation

    name = {"import": "import_"}.get(args.command, args.command.replace("-", "_"))
    handler = getattr(subcommands, name, None)
    if handler is not None:
        try:
            return int(asyncio.run(handler(settings, args)) or 0)
        except RuleViolation as refused:  # e.g. counting a round whose result is frozen
            t = translator(settings.default_locale)
            print(
                t.gettext(refused.message or refused.code).format(**refused.params), file=sys.stderr
            )
            return 2
    return run_basic(settings, args)


def run_basic(settings: Settings, args: argparse.Namespace) -> int:
    """The demo, serve, chat, seed-demo and db commands."""
    from bot.app.serve import run_server, serve

    if args.command == "db":
        from budgeting.migrate import upgrade

        upgrade(settings.database_url)
        print("database is up to date")
    elif args.command == "seed-demo":
        asyncio.run(seed(settings, args.phase, only_if_empty=False))
        print(f"demo rounds seeded, phase: {args.phase}")
    elif args.command == "chat":
        asyncio.run(chat(settings, args.user, args.lang))
    elif args.command == "serve":
        from bot.app.serve import missing_secret_key

        if reason := missing_secret_key(settings):
            print(reason, file=sys.stderr)
            return 2
        run_server(serve(settings))
    elif args.command == "demo":
        from bot.channels.console import ConsoleChannel

        asyncio.run(seed(settings, args.phase, only_if_empty=True))
        password = asyncio.run(demo_admin(settings))
        print(f"Staff admin: http://{settings.host}:{settings.port}/admin/login")
        print(f"  log in as {DEMO_ADMIN} with the password {password} (new at every start)")
        console = ConsoleChannel(None, user=args.user, locale=args.lang)
        run_server(serve(settings, console))
    return 0


if __name__ == "__main__":
    sys.exit(main())
