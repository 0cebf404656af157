"""Figures in worked solutions: drawn with matplotlib from a variant's own
numbers, inlined as SVG so that a page stays one offline file.

A problem type that has a figure defines ``figure(params, solution)``, which
returns a :class:`Figure` (or None where no picture helps). Its ``draw``
receives a matplotlib Axes already styled; matplotlib is imported only when
a figure is drawn, and the SVG is the same bytes on every run.

Figures carry no language: labels are symbols and numbers, and the caption
and the alt text, in both languages, travel beside the picture. Series are
told apart by marker and line style as well as colour, so that a page
printed in black and white keeps its meaning.
"""

import re
from dataclasses import dataclass
from functools import cache
from io import StringIO

from markupsafe import Markup, escape

from . import tex

# Colours that stay apart in grey too; markers and dashes carry the meaning.
COLORS = ("#1f4e99", "#c0392b", "#2e8b57", "#7d3c98", "#b9770e")
MARKERS = ("o", "s", "^", "D", "v")
DASHES = ("-", "--", ":", "-.")


def subscript(number):
    """A whole number in subscript digits, as in x₁₂: labels in plain text
    draw much faster than mathtext, which is parsed again on every render."""
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def label_number(x, digits=tex.DIGITS):
    """A number for a label inside a figure, as the worked steps round it,
    in plain text with a true minus sign."""
    return tex.plain(x, digits).replace("-", "\u2212")


@dataclass(frozen=True)
class Figure:
    draw: object  # (ax) -> None; with panels > 1, (axes) -> None, side by side
    caption: dict  # {"en": ..., "zh": ...}
    alt: dict  # a description of what the figure shows, with its numbers
    size: tuple = (5.4, 3.4)  # inches
    panels: int = 1


@cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "tutor",  # ids that do not change from run to run
            "svg.fonttype": "path",  # the page needs no font to show the labels
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.grid": True,
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "axes.axisbelow": True,
            "legend.fontsize": 8,
            "legend.framealpha": 0.9,
            "lines.linewidth": 1.6,
            "path.simplify": False,
        }
    )
    return pyplot


def svg(figure):
    """The figure as an SVG document: no date, no hash salt of the run."""
    pyplot = _pyplot()
    fig, axes = pyplot.subplots(1, figure.panels, figsize=figure.size)
    try:
        figure.draw(axes)
        fig.tight_layout(pad=0.4)
        out = StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        pyplot.close(fig)
    return out.getvalue()


_XML_HEAD = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')


def inline(document, prefix, alt):
    """An SVG document ready to sit in an HTML page: no XML prolog or
    metadata, its ids
    prefixed so that two figures on one page do not share one, and the alt
    text as its accessible name."""
    body = _METADATA.sub("", _XML_HEAD.sub("", document, count=1), count=1)
    for name in set(_ID.findall(body)):
        new = f"{prefix}-{name}"
        body = body.replace(f'id="{name}"', f'id="{new}"')
        body = body.replace(f"#{name})", f"#{new})").replace(f'"#{name}"', f'"#{new}"')
    label = escape(alt)
    return body.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


@dataclass(frozen=True)
class Rendered:
    svg: Markup  # inline, with its alt text
    caption: str  # may hold $...$ math, as a step's text does


def rendered(variant, lang):
    """The variant's figure ready for a page, or None when its type has none."""
    draw = getattr(variant.problem, "figure", None)
    figure = draw(variant.params, variant.solution) if draw else None
    if figure is None:
        return None
    picture = inline(svg(figure), f"fig{variant.slot}", figure.alt[lang])
    return Rendered(Markup(picture), figure.caption[lang])
