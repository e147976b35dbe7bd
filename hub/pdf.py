"""Printable documents (reportlab): a title, lines of text and tables, one style for all."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Section:
    heading: str | None = None
    header: Sequence[str] = ()
    rows: Sequence[Sequence[object]] = ()
    widths: Sequence[float] | None = None
    lines: Sequence[str] = field(default_factory=tuple)


def document(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title)
    styles = getSampleStyleSheet()
    story = [Paragraph(title, styles["Title"]), Paragraph(subtitle, styles["Normal"])]
    story.append(Spacer(1, 12))
    for sec in sections:
        if sec.heading:
            story.append(Paragraph(sec.heading, styles["Heading2"]))
        for line in sec.lines:
            story.append(Paragraph(line, styles["Normal"]))
        if sec.header:
            data = [list(sec.header)] + [[str(c) for c in row] for row in sec.rows]
            table = Table(data, colWidths=list(sec.widths) if sec.widths else None, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0f766e")),
                        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                        ("FONTSIZE", (0, 0), (-1, -1), 8 if len(sec.header) > 5 else 10),
                    ]
                )
            )
            story.append(table)
        story.append(Spacer(1, 10))
    doc.build(story)
    return buf.getvalue()
