"""The two rounds most tests take place in, built with :mod:`tests.builders`.

``TOWN`` is a residents' round (proposals #1-#13, in this order, written by three
residents); ``WORKPLACE`` an employees' round (proposals #14-#16) built after it. Tests
name these titles, areas and numbers; they belong to the tests, not to the demo.
"""

from __future__ import annotations

from budgeting.models import Audience, ProposalStatus
from tests.builders import AreaSpec, ProposalSpec, RoundSpec

ACCEPTED, MERGED = ProposalStatus.ACCEPTED, ProposalStatus.MERGED

TOWN = RoundSpec(
    slug="town-budget",
    title=(
        "Medborgarbudget Säter 2027",
        "Säter participatory budget 2027",
        "الميزانية التشاركية في سيتر 2027",
    ),
    description=(
        "Kommunen avsätter 1 000 000 kr.",
        "The municipality sets aside 1,000,000 kr.",
        "تخصص البلدية مليون كرونة.",
    ),
    budget=1_000_000,
    authors=3,
    criteria=(
        ("Gynnar många invånare", "Benefits many residents", "يفيد كثيرًا من السكان"),
        ("Kommunen ansvarar för platsen", "The municipality is responsible", "البلدية مسؤولة"),
        ("Engångsinvestering", "A one-off investment", "استثمار لمرة واحدة"),
        ("Kan genomföras inom ett år", "Can be done within a year", "يمكن تنفيذه خلال سنة"),
    ),
    areas=(
        AreaSpec(
            ("Säter tätort", "Säter town", "مدينة سيتر"),
            500_000,
            (
                ProposalSpec(  # #1
                    "Fler bänkar längs Ljusterån",
                    60_000,
                    comments=("Bra idé, min mamma skulle gå längre med fler bänkar.",),
                ),
                ProposalSpec("Utegym vid Säterdalen", 250_000),  # #2
                ProposalSpec("Belysning på gångvägen till stationen", 180_000),  # #3
                ProposalSpec("Lekplats i Bergsgården", 220_000),  # #4
                ProposalSpec(  # #5
                    "Ny simhall",
                    40_000_000,
                    ProposalStatus.REJECTED,
                    rejection_reason="Kostar mer än hela budgeten.",
                ),
            ),
        ),
        AreaSpec(
            ("Gustavsbo", "Gustavsbo", "غوستافسبو"),
            250_000,
            (
                ProposalSpec("Boulebana i Gustavsbo", 80_000),  # #6
                ProposalSpec("Hundrastgård", 120_000),  # #7
                ProposalSpec("Cykelställ vid skolan", 90_000),  # #8
                ProposalSpec("Hundgård i Gustavsbo", 100_000, MERGED, merged_into="Hundrastgård"),
            ),
        ),
        AreaSpec(
            ("Stora Skedvi", "Stora Skedvi and the countryside", "ستورا سكيدفي والريف"),
            250_000,
            (
                ProposalSpec("Badbrygga vid Skedvisjön", 150_000),  # #10
                ProposalSpec("Vindskydd vid Ljusternsjöns stig", 70_000),  # #11
                ProposalSpec("Laddstolpar på landet", 200_000, ProposalStatus.UNDER_REVIEW),
                ProposalSpec(  # #13
                    "Bokbuss varje vecka",
                    90_000,
                    ProposalStatus.SUBMITTED,
                    description="En bokbuss som kommer varje vecka.",
                ),
            ),
        ),
    ),
)

WORKPLACE = RoundSpec(
    slug="workplace-budget",
    audience=Audience.EMPLOYEES,
    organisation="Vård och omsorg",
    title=(
        "Medarbetarbudget Vård och omsorg",
        "Employee budget, Health and social care",
        "ميزانية الموظفين، الرعاية الصحية والاجتماعية",
    ),
    budget=200_000,
    criteria=(("Förbättrar arbetsmiljön", "Improves the work environment", "يحسّن بيئة العمل"),),
    areas=(
        AreaSpec(
            ("Vård och omsorg", "Health and social care", "الرعاية الصحية والاجتماعية"),
            200_000,
            (
                ProposalSpec("Ljuddämpning i personalrummet", 60_000),  # #14
                ProposalSpec("Höj- och sänkbara skrivbord", 90_000),  # #15
                ProposalSpec("Friskvårdsdag för alla", 80_000),  # #16
            ),
        ),
    ),
)
