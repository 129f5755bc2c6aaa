"""The learning-path chart, drawn with matplotlib when the book is assembled: hours per module
as bars (low to high estimate) and the cumulative hours at the end of each phase as a line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleHours:
    label: str
    low: float
    high: float


@dataclass(frozen=True)
class PhaseHours:
    label: str
    last_index: int
    low: float
    high: float


def render_chart(modules: list[ModuleHours], phases: list[PhaseHours]) -> bytes:
    """The chart as PNG bytes; the same input always gives the same bytes, so an unchanged
    course does not make Sphinx copy the image again."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, hours_axis = pyplot.subplots(figsize=(8, 4.2), dpi=100)
    positions = list(range(len(modules)))
    hours_axis.bar(positions, [m.low for m in modules], color="#4c72b0", label="hours (low)")
    hours_axis.bar(positions, [m.high - m.low for m in modules], bottom=[m.low for m in modules],
                   color="#a1c4e8", label="hours (high)")
    hours_axis.set_xticks(positions, [m.label for m in modules], rotation=45, ha="right",
                          fontsize=8)
    hours_axis.set_ylabel("hours per module")
    handles, labels = hours_axis.get_legend_handles_labels()
    if phases:
        total_axis = hours_axis.twinx()
        ends = [p.last_index for p in phases]
        total_axis.plot(ends, [p.high for p in phases], "o-", color="#dd8452",
                        label="cumulative hours (high)")
        total_axis.plot(ends, [p.low for p in phases], "s--", color="#c44e52",
                        label="cumulative hours (low)")
        for phase in phases:
            total_axis.annotate(phase.label, (phase.last_index, phase.high), fontsize=7,
                                textcoords="offset points", xytext=(0, 6), ha="center")
        total_axis.set_ylabel("cumulative hours at the end of each phase")
        total_axis.set_ylim(bottom=0, top=max(p.high for p in phases) * 1.2)
        more_handles, more_labels = total_axis.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    hours_axis.legend(handles, labels, loc="upper left", fontsize=7)
    hours_axis.set_title("Time per module and per phase")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    pyplot.close(figure)
    return buffer.getvalue()
