"""Regenerate ``pabutools_mes_krakow.json``: pabutools' MES outcome for each Kraków file.

pabutools is the reference implementation, but its MES with Add1 completion takes seconds
to a minute per district, so tests compare against this cache instead of calling it.

    .venv/bin/python tests/data/make_pabutools_cache.py [--jobs 2] [--city] [--lexico]
    .venv/bin/python tests/data/make_pabutools_cache.py --approval

``--approval`` writes ``pabutools_mes_approval.json`` instead: the shared approval files
(Gdynia 2020, city-wide and districts) with pabutools' ``Cost_Sat``, the satisfaction
equalshares.net uses (a voter's utility from a project they approve is its cost).

Utilities are the points the tally uses (position i of a ballot earns K - i, K = the file's
``max_length``), given to pabutools as an additive satisfaction; pabutools' own
``Additive_Borda_Sat`` would give ``len(ballot) - i - 1`` instead.  Ties are broken by the
order of the file's PROJECTS section, as in the tally (``--lexico`` uses pabutools' default
lexicographic tie-breaking instead).  ``--city`` adds the two city-wide files (slow).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
PABULIB = HERE.parents[1] / ".." / "shared" / "data" / "pabulib"
OUTPUT = HERE / "pabutools_mes_krakow.json"
APPROVAL_OUTPUT = HERE / "pabutools_mes_approval.json"
APPROVAL_FILES = "Poland_Gdynia_2020*.pb"


def pabutools_mes(path: Path, lexico: bool) -> dict:
    """pabutools' MES (Add1) outcome for one file, with timing."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

    instance, profile = parse_pabulib(str(path))
    k = int(instance.meta.get("max_length") or max(len(b) for b in profile))

    def points(instance, profile, ballot, project, precomputed):
        return k - ballot.position(project) if project in ballot else 0

    class PointsSat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot) -> None:
            super().__init__(instance, profile, ballot, points)

    order = {p.name: i for i, p in enumerate(instance.project_meta)}  # file order
    tie_breaking = (
        lexico_tie_breaking
        if lexico
        else TieBreakingRule(lambda inst, prof, proj: order[proj.name])
    )
    approval = instance.meta.get("vote_type") in ("approval", "choose-1")
    start = time.perf_counter()
    outcome = method_of_equal_shares(
        instance,
        profile,
        sat_class=Cost_Sat if approval else PointsSat,
        voter_budget_increment=1,
        tie_breaking=tie_breaking,
    )
    seconds = time.perf_counter() - start
    return {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "voters": profile.num_ballots(),
        "budget": int(instance.budget_limit),
        "selected": [p.name for p in outcome],
        "seconds": round(seconds, 2),
    }


def _job(args: tuple[Path, bool]) -> tuple[str, dict]:
    path, lexico = args
    result = pabutools_mes(path, lexico)
    print(f"{path.name}: {len(result['selected'])} projects, {result['seconds']} s", flush=True)
    return path.name, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--city", action="store_true", help="include the city-wide files")
    parser.add_argument("--lexico", action="store_true", help="lexicographic tie-breaking")
    parser.add_argument("--approval", action="store_true", help="the approval files, Cost_Sat")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    if args.approval:
        files = sorted(PABULIB.resolve().glob(APPROVAL_FILES))
        output = args.output or APPROVAL_OUTPUT
    else:
        files = sorted(PABULIB.resolve().glob("Poland_Krakow_201[89]*.pb"))
        output = args.output or OUTPUT
    if not args.city and not args.approval:
        files = [f for f in files if f.stem.count("_") > 2]  # Poland_Krakow_YYYY_District
    files.sort(key=lambda f: -f.stat().st_size)  # longest first keeps the pool busy
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(pool.map(_job, [(f, args.lexico) for f in files]))
    cache = {
        "generator": "tests/data/make_pabutools_cache.py",
        "pabutools": version("pabutools"),
        "rule": "method_of_equal_shares(voter_budget_increment=1)",
        "satisfaction": (
            "Cost_Sat: a voter's utility from a project they approve is its cost"
            if args.approval
            else "additive; position i of a ballot earns max_length - i points"
        ),
        "tie_breaking": "lexicographic" if args.lexico else "order of the PROJECTS section",
        "files": {name: results[name] for name in sorted(results)},
    }
    output.write_text(json.dumps(cache, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
