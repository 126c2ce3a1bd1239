"""The employer's one-page summary as a PDF (fpdf2, pure Python: no browser needed in CI).

The PDF core fonts cover Latin-1 only, so the euro sign is written as "EUR" and typographic
dashes as "-"; the text is otherwise the same as the HTML summary.
"""

from __future__ import annotations

from fpdf import FPDF

from api.pages.summary import HEADINGS, summary
from engine.trajectory.model import Trajectory

_PLAIN = {"€": "EUR", "−": "-", "–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "…": "..."}


def _latin1(text: str) -> str:
    for k, v in _PLAIN.items():
        text = text.replace(k, v)
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(t: Trajectory) -> bytes:
    s = summary(t)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(16, 14, 16)
    pdf.add_page()
    pdf.set_title(_latin1(s.title))
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _latin1(s.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9.5)
    pdf.multi_cell(0, 4.8, _latin1(s.intro), new_x="LMARGIN", new_y="NEXT")
    for heading in HEADINGS:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for item in s.sections[heading]:
            pdf.multi_cell(0, 4.4, _latin1(f"- {item}"), new_x="LMARGIN", new_y="NEXT")
        if heading == HEADINGS[2]:
            pdf.ln(1)
            widths = (30, 40, 40, 40)
            pdf.set_font("Helvetica", "B", 9)
            for w, h in zip(widths, ("periode", "loonkosten", "subsidies", "netto"), strict=True):
                pdf.cell(w, 5, h, border=1)
            pdf.ln()
            pdf.set_font("Helvetica", "", 9)
            for row in s.costs:
                for w, v in zip(widths, row, strict=True):
                    pdf.cell(w, 5, _latin1(v), border=1, align="L" if v == row[0] else "R")
                pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 7.5)
    for line in s.footer:
        pdf.multi_cell(0, 3.6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
