"""Print-ready voting-code letters (PDF, one letter a page) and the codes as CSV.

The letters need a TrueType font with Latin and Arabic glyphs (DejaVu Sans, Debian's
``fonts-dejavu-core``; or ``BUDGETBOT_LETTER_FONT``) and HarfBuzz (uharfbuzz) to shape the
Arabic text right to left.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import segno
from fpdf import FPDF

from budgeting.i18n import _, translator
from web_admin.deep_links import code_link

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
LETTER_LANGUAGES = ("sv", "en", "ar")

HEADING = _("Your voting code")
WITH_LINK = _(
    "Scan the QR code or open the link: the chat with budgetbot opens with your code already "
    "filled in. You can also write /vote in the chat and type the code. The code gives one "
    "ballot; until voting closes you may change your ballot."
)
WITHOUT_LINK = _(
    "Write /vote in the chat with budgetbot and type the code. The code gives one ballot; "
    "until voting closes you may change your ballot."
)


class LetterFontMissing(Exception):
    """No font with Arabic glyphs was found; the message says how to install one."""


def letter_font(configured: str | None = None) -> Path:
    """The TrueType font for the letters, or LetterFontMissing."""
    candidates = [configured] if configured else FONT_CANDIDATES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise LetterFontMissing(
        "No font for the letters: install DejaVu Sans (apt-get install fonts-dejavu-core) "
        "or set BUDGETBOT_LETTER_FONT to a .ttf file with Latin and Arabic glyphs."
    )


def codes_csv(codes: Iterable[tuple[int, str]], bot_username: str | None) -> str:
    """``letter;voting_code;link`` rows (the link empty without a bot username)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["letter", "voting_code", "link"])
    for serial, code in codes:
        writer.writerow([serial, code, code_link(bot_username, code) if bot_username else ""])
    return out.getvalue()


def letters_pdf(
    codes: Sequence[tuple[int, str]],
    round_title: str,
    batch_id: int,
    bot_username: str | None,
    font: Path,
) -> bytes:
    """One A4 letter a page: the code in large type, QR code and link, instructions in
    Swedish, English and Arabic."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(round_title)
    pdf.add_font("letter", fname=str(font))
    for serial, code in codes:
        pdf.add_page()
        _letter(pdf, serial, code, round_title, batch_id, bot_username)
    return bytes(pdf.output())


def _letter(
    pdf: FPDF, serial: int, code: str, title: str, batch_id: int, bot_username: str | None
) -> None:
    width = pdf.epw
    pdf.set_font("letter", size=16)
    pdf.set_text_shaping(False)
    pdf.multi_cell(width, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("letter", size=12)
    headings = " · ".join(translator(lang).gettext(HEADING) for lang in ("sv", "en"))
    pdf.cell(width, 7, headings, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_shaping(True, direction="rtl", script="arab", language="ar")
    pdf.cell(width, 8, translator("ar").gettext(HEADING), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_shaping(False)
    pdf.set_font("letter", size=34)
    pdf.cell(width, 20, code, align="C", new_x="LMARGIN", new_y="NEXT")
    link = code_link(bot_username, code) if bot_username else None
    if link is not None:
        qr = io.BytesIO()
        segno.make(link, error="m").save(qr, kind="png", scale=8, border=2)
        size = 50
        pdf.image(qr, x=(pdf.w - size) / 2, y=pdf.get_y() + 2, w=size, h=size)
        pdf.set_y(pdf.get_y() + size + 5)
        pdf.set_font("letter", size=10)
        pdf.cell(width, 6, link, align="C", link=link, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    text = WITH_LINK if link is not None else WITHOUT_LINK
    for lang in LETTER_LANGUAGES:
        pdf.set_font("letter", size=11)
        if lang == "ar":
            pdf.set_text_shaping(True, direction="rtl", script="arab", language="ar")
        pdf.multi_cell(
            width,
            6,
            translator(lang).gettext(text),
            align="R" if lang == "ar" else "L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_shaping(False)
        pdf.ln(4)
    pdf.set_y(-20)
    pdf.set_font("letter", size=8)
    pdf.cell(width, 5, f"{batch_id}-{serial}", align="R")
