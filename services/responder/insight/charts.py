"""Charts as server-side SVG drawn by pygal (no chart code of ours, nothing to download).

pygal's inline config script and tooltip script URL are dropped: the page needs no script
from the library, and nothing is loaded from a third-party host. The numbers each chart
draws travel with it (`values`) so the page can expose them as data for tests and tools.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="system-ui, sans-serif",
    colors=("#2e7d32", "#9e9e9e", "#c62828", "#1565c0", "#ef6c00", "#6a1b9a"),
)

#: Colours by series name, so praise is green and complaints red on every page.
SERIES_COLOURS = {
    "positive": "#2e7d32",
    "praise": "#2e7d32",
    "neutral": "#9e9e9e",
    "negative": "#c62828",
    "complaints": "#c62828",
}


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    labels: list[str]
    series: dict[str, list[float | int | None]]

    @property
    def values_json(self) -> str:
        """The drawn numbers as JSON (the template escapes it into an attribute)."""
        return json.dumps({"labels": self.labels, "series": self.series}, ensure_ascii=False)


def _strip_scripts(root: Any) -> Any:
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return root


def _config(**extra: Any) -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": _STYLE,
        "width": 800,
        "height": 340,
        "legend_at_bottom": True,
        "truncate_label": 24,
        "print_values": False,
        "show_minor_x_labels": True,
        **extra,
    }


def _make(
    kind: type[Any],
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    **extra: Any,
) -> Chart:
    chart = kind(**_config(**extra))
    chart.add_xml_filter(_strip_scripts)
    chart.title = title
    chart.x_labels = list(labels)
    colours = [SERIES_COLOURS.get(name) for name in series]
    if all(colours):
        chart.config.style = Style(**{**_STYLE.to_dict(), "colors": tuple(colours)})
    for name, values in series.items():
        chart.add(name, list(values))
    svg = chart.render(is_unicode=True)
    return Chart(
        id=chart_id,
        title=title,
        svg=Markup(svg),  # serialised by pygal's XML writer: text and attributes escaped
        labels=list(labels),
        series={k: list(v) for k, v in series.items()},
    )


def bar(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
) -> Chart:
    kind: type[Any]
    if horizontal:
        kind = pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar
    else:
        kind = pygal.StackedBar if stacked else pygal.Bar
    return _make(kind, chart_id, title, labels, series, x_label_rotation=0 if horizontal else 30)


def line(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
) -> Chart:
    every = max(1, len(labels) // 12)
    return _make(
        pygal.Line,
        chart_id,
        title,
        labels,
        series,
        x_label_rotation=30,
        show_minor_x_labels=False,
        x_labels_major_every=every,
        dots_size=2,
    )
