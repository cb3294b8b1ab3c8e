"""Write examples/knowledge/fees/tariff-of-charges.pdf, the example knowledge base's PDF article.

Run from the repository root: ``.venv/bin/python examples/build_knowledge_pdf.py`` (needs fpdf2,
in the ``test`` extra). The PDF is committed; its text is defined here, so change it here and
re-run. Fixed creation date: re-running with the same fpdf2 gives the same text and metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

OUT = Path(__file__).resolve().parent / "knowledge" / "fees" / "tariff-of-charges.pdf"
TITLE = "Tariff of charges"

SECTIONS: list[tuple[str, list[str]]] = [
    ("About this tariff", [
        "This tariff lists every charge Northwind Advisory may make, in force from 1 April 2026. "
        "It is the document to send when a client asks for the full fee schedule.",
    ]),
    ("Platform fee", [
        "0.35% a year on the first £250,000 of linked accounts, 0.20% from £250,000 to £1,000,000, "
        "nothing above £1,000,000. Worked out daily, taken monthly.",
    ]),
    ("Advice fees", [
        "Ongoing advice: 0.50% a year of the advised accounts. One-off financial plan: £1,200. "
        "Pension transfer advice: 1% of the amount transferred, at least £1,500.",
    ]),
    ("Dealing charges", [
        "Funds: free. Shares, investment trusts and ETFs: £7.50 per online trade, £25 per phone trade. "
        "Regular investments into shares and ETFs: £1.50 per purchase. Foreign shares: plus a 0.75% "
        "currency conversion charge.",
    ]),
    ("Payments and administration", [
        "Same-day CHAPS payment to your bank: £25 (standard payments are free). "
        "Paper copies of statements and tax certificates: free. Balance confirmation letters: free. "
        "Returned or unpaid direct debit: no charge from us.",
    ]),
    ("Transfers and closure", [
        "Transfers out and account closure: free. We refund up to £500 of exit fees charged by your "
        "previous provider when you transfer an ISA or pension to us.",
    ]),
    ("SIPP charges", [
        "No set-up or drawdown charges. Paying a lump sum or starting drawdown: free. "
        "Buying an annuity with an external insurer: free.",
    ]),
]


def build(out: Path = OUT) -> Path:
    """Write the PDF to ``out`` and return the path."""
    pdf = FPDF(format="A4")
    pdf.set_title(TITLE)
    pdf.set_author("Northwind Advisory")
    pdf.set_lang("en")
    pdf.set_creation_date(datetime(2026, 4, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
    for heading, paragraphs in SECTIONS:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for para in paragraphs:
            pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


if __name__ == "__main__":
    print(build())
