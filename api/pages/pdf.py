"""The employer's one-page summary as a PDF (fpdf2, pure Python: no browser needed in CI).

The text is the HTML summary's. The PDF core fonts cover Latin-1 only, so a subset of DejaVu Sans
is embedded (api/pages/fonts/, with its licence): the euro sign and dashes print as themselves.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from api.pages.summary import HEADINGS, summary
from engine.trajectory.model import Trajectory

FONTS = Path(__file__).parent / "fonts"
_FAMILY = "DejaVuSans"


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique")):
        pdf.add_font(_FAMILY, style, str(FONTS / f"DejaVuSans{suffix}.ttf"))
    return pdf


def render_pdf(t: Trajectory) -> bytes:
    s = summary(t)
    pdf = _pdf()
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(16, 14, 16)
    pdf.add_page()
    pdf.set_title(s.title)
    pdf.set_font(_FAMILY, "B", 15)
    pdf.cell(0, 9, s.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 9)
    pdf.multi_cell(0, 4.6, s.intro, new_x="LMARGIN", new_y="NEXT")
    for heading in HEADINGS:
        pdf.ln(2)
        pdf.set_font(_FAMILY, "B", 11.5)
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, "", 8.5)
        for item in s.sections[heading]:
            pdf.multi_cell(0, 4.3, f"• {item}", new_x="LMARGIN", new_y="NEXT")
        if heading == HEADINGS[2]:
            pdf.ln(1)
            widths = (30, 40, 40, 40)
            pdf.set_font(_FAMILY, "B", 8.5)
            for w, h in zip(widths, ("periode", "loonkosten", "subsidies", "netto"), strict=True):
                pdf.cell(w, 5, h, border=1)
            pdf.ln()
            pdf.set_font(_FAMILY, "", 8.5)
            for row in s.costs:
                for w, v in zip(widths, row, strict=True):
                    pdf.cell(w, 5, v, border=1, align="L" if v == row[0] else "R")
                pdf.ln()
    if t.sources:  # each text with its deep link: the employer can read the article itself
        pdf.ln(2)
        pdf.set_font(_FAMILY, "B", 8.5)
        pdf.cell(0, 5, "Bronnen", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, "", 7.5)
        for src in t.sources:
            pdf.multi_cell(
                0,
                3.8,
                f"• {src.citation}: {src.href}",
                new_x="LMARGIN",
                new_y="NEXT",
                link=src.href,
            )
    pdf.ln(2)
    pdf.set_font(_FAMILY, "I", 7)
    for line in s.footer:
        pdf.multi_cell(0, 3.5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
