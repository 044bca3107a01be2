"""Inline SVG charts for the HTML report: no script, no external file."""

from html import escape

import numpy as np

BAR_HEIGHT = 14
ROW_GAP = 6
LABEL_WIDTH = 170
BAR_WIDTH = 260
VALUE_WIDTH = 90


def coverage_bars(
    title: str, labels: list[str], before: list[float], after: list[float] | None = None
) -> str:
    """Horizontal bars of coverage shares (0–1) per label; `after` is drawn over `before`.

    NaN shares (a group with nobody in it) are drawn as an empty row marked "—".
    """
    rows = len(labels)
    top = 28
    height = top + rows * (BAR_HEIGHT + ROW_GAP) + 10
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for tick in (0.0, 0.5, 1.0):
        x = LABEL_WIDTH + tick * BAR_WIDTH
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}" class="tick"/>'
        )
    for i, label in enumerate(labels):
        y = top + i * (BAR_HEIGHT + ROW_GAP)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 3}" class="bar-label" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        share_before = before[i]
        share_after = after[i] if after is not None else np.nan
        if np.isfinite(share_before):
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{share_before * BAR_WIDTH:.1f}" '
                f'height="{BAR_HEIGHT}" class="bar-before"/>'
            )
        if np.isfinite(share_after) and share_after > share_before:
            parts.append(
                f'<rect x="{LABEL_WIDTH + share_before * BAR_WIDTH:.1f}" y="{y}" '
                f'width="{(share_after - share_before) * BAR_WIDTH:.1f}" height="{BAR_HEIGHT}" '
                f'class="bar-after"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + BAR_HEIGHT - 3}" '
            f'class="bar-value">{escape(_shares_text(share_before, share_after))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def percent(share: float) -> str:
    """A share (0–1) as a percentage with one decimal; NaN as a dash."""
    return f"{share * 100:.1f}%" if np.isfinite(share) else "—"


def _shares_text(before: float, after: float) -> str:
    if not np.isfinite(after):
        return percent(before)
    return f"{percent(before)} → {percent(after)}"
