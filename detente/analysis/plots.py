"""Charts of a dyad index: the temperature with its band and change points, and event counts by type.

Vega-Lite through altair, rendered to SVG or PNG by vl-convert (no browser, no network): a reader of a
brief sees the smoothed temperature, how uncertain it is (the band widens where events are few), the
periods' own values sized by their number of events, the change points as vertical rules and any
marked events (e.g. the top surprises) labelled on the time axis.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd

from detente.analysis.dyad import AnalysisError, DyadIndex

FORMATS = (".svg", ".png")


def temperature_chart(index: DyadIndex, marks: Iterable[tuple[date, str]] = (),
                      width: int = 720, height: int = 260) -> alt.LayerChart:
    """Smoothed temperature (line) in its band (area), per-period values (dots sized by events),
    change points (dashed rules) and ``marks`` ((date, label) pairs, e.g. notable events)."""
    f = index.frame
    data = pd.DataFrame({
        "period": pd.to_datetime(pd.Series(f["period"], dtype=object)),
        "smoothed": f["smoothed"].astype(float),
        "low": f["smoothed_low"].astype(float),
        "high": f["smoothed_high"].astype(float),
        "temperature": f["temperature"].astype(float),
        "events": f["events"].astype(int),
    })
    x = alt.X("period:T", title=None)
    y_scale = alt.Scale(domain=[-1, 1])
    band = alt.Chart(data).mark_area(opacity=0.25, color="#888888").encode(
        x=x, y=alt.Y("low:Q", scale=y_scale, title="temperature (-1 conflict .. +1 cooperation)"),
        y2="high:Q")
    line = alt.Chart(data).mark_line(color="#c0392b", strokeWidth=2).encode(x=x, y=alt.Y("smoothed:Q", scale=y_scale))
    dots = alt.Chart(data[data["events"] > 0]).mark_circle(color="#2c3e50", opacity=0.6).encode(
        x=x, y=alt.Y("temperature:Q", scale=y_scale),
        size=alt.Size("events:Q", title="events", scale=alt.Scale(range=[10, 200]),
                      legend=alt.Legend(format="d")),
        tooltip=["period:T", "events:Q", alt.Tooltip("temperature:Q", format="+.2f")])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#555555", strokeDash=[2, 2]).encode(y="y:Q")
    layers = [band, zero, line, dots]
    if index.change_points:
        cps = pd.DataFrame({"period": pd.to_datetime([c.period for c in index.change_points]),
                            "label": [f"{c.before:+.2f} -> {c.after:+.2f}" for c in index.change_points]})
        layers.append(alt.Chart(cps).mark_rule(color="#8e44ad", strokeDash=[6, 4], strokeWidth=1.5)
                      .encode(x="period:T", tooltip=["label:N"]))
    marked = [(d, str(label)) for d, label in marks]
    if marked:
        ev = pd.DataFrame({"period": pd.to_datetime([d for d, _ in marked]), "label": [t for _, t in marked],
                           "y": [-0.95] * len(marked)})
        layers.append(alt.Chart(ev).mark_point(shape="triangle-up", color="#d35400", filled=True, size=80)
                      .encode(x="period:T", y=alt.Y("y:Q", scale=y_scale), tooltip=["label:N"]))
        layers.append(alt.Chart(ev).mark_text(angle=270, align="left", dx=6, fontSize=9, color="#d35400")
                      .encode(x="period:T", y=alt.Y("y:Q", scale=y_scale), text="label:N"))
    title = f"{index.label} temperature by {index.by}"
    if index.trend:
        title += f" ({index.trend.direction})"
    return alt.layer(*layers).properties(width=width, height=height, title=title)


def counts_chart(index: DyadIndex, width: int = 720, height: int = 220) -> alt.Chart:
    """Stacked bars: events per period by PLOVER type (types that never occur are left out)."""
    f = index.frame
    cols = [c for c in f.columns if c.startswith("n_") and c != "n_eff" and f[c].sum() > 0]
    long = f[["period", *cols]].melt(id_vars="period", var_name="type", value_name="events")
    long["type"] = long["type"].str.removeprefix("n_")
    long["period"] = pd.to_datetime(pd.Series(long["period"], dtype=object))
    long = long[long["events"] > 0]
    bar = max(1.0, 0.8 * width / max(len(f), 1))  # bars as wide as their period, whatever the number
    return alt.Chart(long).mark_bar(width=bar).encode(
        x=alt.X("period:T", title=None),
        y=alt.Y("sum(events):Q", title="events"),
        color=alt.Color("type:N", title="PLOVER type"),
        tooltip=["period:T", "type:N", "events:Q"],
    ).properties(width=width, height=height, title=f"{index.label} events by type per {index.by}")


def save(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> Path:
    """Write ``chart`` as SVG or PNG (by the file's suffix) with vl-convert; returns the path."""
    import vl_convert as vlc

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise AnalysisError(str(path), f"plots are written as {' or '.join(FORMATS)}")
    spec = chart.to_json()
    if suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    else:
        path.write_bytes(vlc.vegalite_to_png(spec, scale=scale))
    return path


def plot_dyad(index: DyadIndex, path: str | Path, *, kind: str = "both",
              marks: Iterable[tuple[date, str]] = ()) -> Path:
    """The dyad's chart to ``path``: ``temperature``, ``counts`` or ``both`` (stacked)."""
    if kind == "temperature":
        chart = temperature_chart(index, marks)
    elif kind == "counts":
        chart = counts_chart(index)
    elif kind == "both":
        chart = alt.vconcat(temperature_chart(index, marks), counts_chart(index))
    else:
        raise AnalysisError(repr(kind), "a plot is 'temperature', 'counts' or 'both'")
    return save(chart, path)
