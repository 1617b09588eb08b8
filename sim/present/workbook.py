"""comparison.xlsx: a workbook a CFO can use (formats, widths, bold frozen headers, filters, notes).

The sheets hold the same numbers as the CSVs beside them, as numbers: the answer, the scenarios
side by side, the P&L, the comparison in long form (comparison.csv), the KPIs of every
replication (replications.csv), the inputs, the levers one at a time and the steps of a timeline
where explained, the uncertainty study where run, the seeds, and a notes sheet saying what each
column means. Written with openpyxl, atomically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.config.labels import lever_label, lever_value
from sim.experiments.files import atomic_write
from sim.measure.kpis import KPI_NAMES, PNL_KPIS, REPORT_KPIS, kpi
from sim.present.names import label, title

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

    from sim.experiments.compare import Comparison
    from sim.experiments.uncertainty import Uncertainty
    from sim.present.answer import Answer

# Excel number formats by unit; a change of a share is a share too (shown in %, read as percentage points).
FORMATS = {
    "dollars": '"$"#,##0;-"$"#,##0',
    "share": "0.0%",
    "count": "#,##0",
    "hours": "#,##0.0",
    "points": "0.0",
    "ratio": "0.00",
    "months": "0.0",
    "score": "0.000",
}
CHANGE_FORMATS = FORMATS | {
    "dollars": '+"$"#,##0;-"$"#,##0;"$"0',
    "share": "+0.0%;-0.0%;0.0%",
    "count": "+#,##0;-#,##0;0",
    "hours": "+#,##0.0;-#,##0.0;0.0",
    "points": "+0.0;-0.0;0.0",
    "ratio": "+0.00;-0.00;0.00",
    "months": "+0.0;-0.0;0.0",
}
UNIT_WORDS = {"dollars": "$", "share": "%", "count": "count", "hours": "hours", "points": "points, 0-100",
              "ratio": "ratio", "months": "months", "score": "score"}  # fmt: skip
PLAIN = "General"
WIDEST = 70  # characters: a longer cell wraps


@dataclass
class Sheet:
    """One sheet: a table, a number format per cell (by row or by column), and what its columns mean.

    Attributes:
        name: the sheet's name (at most 31 characters, Excel's limit).
        frame: the table (numbers as numbers).
        formats: column -> number format of the whole column.
        row_formats: column -> number format of each row (a table with a unit per row).
        notes: column -> what it means (the notes sheet).
        text: sentences under the table (the answer's words).
    """

    name: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    row_formats: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


def _unit(name: str) -> str:
    return kpi(name).unit if name in KPI_NAMES else "score"


def kpi_heading(name: str) -> str:
    """A KPI as a column heading: its display label with its unit (``revenue ($)``)."""
    return f"{label(name)} ({UNIT_WORDS[_unit(name)]})" if name in KPI_NAMES else name


def answer_sheet(found: Answer, lines: list[str]) -> Sheet:
    """The answer: each measure at the default assumptions (and across the assumption sets), and its words."""
    frame = found.table()
    units = ["points" if m == "prospect satisfaction" else "dollars" for m in frame["measure"]]
    change = [CHANGE_FORMATS[u] for u in units]
    return Sheet(
        "answer",
        frame,
        formats={"share of sets positive": FORMATS["share"]},
        row_formats={
            "change": change,
            "low": change,
            "high": change,
            "baseline": [FORMATS[u] for u in units],
            "changed": [FORMATS[u] for u in units],
        },
        notes={
            "measure": "sales contribution: new-business revenue less the cost of sales; operating profit: the "
            "P&L's bottom line; prospect satisfaction in points (0-100)",
            "basis": "default assumptions: the mean change over the simulated markets with its 95% interval "
            "(simulation noise); across the assumption sets: median, P10 and P90 of the sets' mean changes",
            "change": f"what changing {title(found.base)} into {title(found.target)} is worth (changed less baseline)",
            "low": "the interval's low end (95% interval, or P10)",
            "high": "the interval's high end (95% interval, or P90)",
            "share of sets positive": "share of the assumption sets in which the change is above zero",
            "baseline": f"{title(found.base)}'s mean at the default assumptions",
            "changed": f"{title(found.target)}'s mean at the default assumptions",
        },
        text=lines,
    )


def side_by_side(comparison: Comparison, kpis: tuple[str, ...] = REPORT_KPIS, name: str = "side by side") -> Sheet:
    """The KPIs (rows) of every scenario (columns) with each change against the baseline and its interval."""
    table = comparison.table.set_index(["scenario", "kpi"])
    base = comparison.names[0]
    columns: dict[str, list[Any]] = {"KPI": [label(k) for k in kpis], "unit": [UNIT_WORDS[_unit(k)] for k in kpis]}
    row_formats: dict[str, list[str]] = {}
    notes = {"KPI": "what is measured (the notes below each sheet name the CSV's code keys)", "unit": "its unit"}
    for scenario in comparison.names:
        head = title(scenario)
        columns[head] = [float(table.loc[(scenario, k), "mean"]) for k in kpis]
        row_formats[head] = [FORMATS[_unit(k)] for k in kpis]
        notes[head] = f"{head}'s mean over {comparison.n} simulated markets"
        if scenario == base:
            continue
        for col, what in (("delta", "change"), ("delta_ci_low", "low"), ("delta_ci_high", "high")):
            heading = f"{head}: {what}"
            columns[heading] = [float(table.loc[(scenario, k), col]) for k in kpis]
            row_formats[heading] = [CHANGE_FORMATS[_unit(k)] for k in kpis]
        notes[f"{head}: change"] = f"{head} less {title(base)}, paired market by market (a share's change in points)"
        notes[f"{head}: low"] = "the change's 95% interval, low end"
        notes[f"{head}: high"] = "the change's 95% interval, high end"
    return Sheet(name, pd.DataFrame(columns), row_formats=row_formats, notes=notes)


def long_sheet(comparison: Comparison) -> Sheet:
    """comparison.csv as it is, with the KPI's label and unit beside its code key."""
    frame = comparison.table.copy()
    frame.insert(2, "KPI", [label(k) for k in frame["kpi"]])
    frame.insert(3, "unit", [UNIT_WORDS[_unit(k)] for k in frame["kpi"]])
    units = [_unit(k) for k in frame["kpi"]]
    value, change = [FORMATS[u] for u in units], [CHANGE_FORMATS[u] for u in units]
    return Sheet(
        "comparison",
        frame,
        formats={"delta_pct": "+0.0;-0.0;0.0"},
        row_formats={
            "mean": value,
            "ci_low": value,
            "ci_high": value,
            "delta": change,
            "delta_ci_low": change,
            "delta_ci_high": change,
        },
        notes={
            "scenario": "the scenario's file name (the first is the baseline)",
            "kpi": "the KPI's code key (as in comparison.csv and the scenario files' documentation)",
            "KPI": "the KPI in words",
            "unit": "its unit",
            "mean": "mean over the simulated markets (replications)",
            "ci_low": "95% confidence interval of the mean, low end",
            "ci_high": "95% confidence interval of the mean, high end",
            "delta": "change against the baseline: the mean of the differences market by market (paired)",
            "delta_ci_low": "95% interval of the paired change, low end",
            "delta_ci_high": "95% interval of the paired change, high end",
            "delta_pct": "the change as a percentage of the baseline's mean (empty where the baseline is zero); "
            "read with care where the baseline is near zero or negative",
        },
    )


def replications_sheet(comparison: Comparison) -> Sheet:
    """replications.csv, its KPI columns headed by label and unit."""
    frame = comparison.replications.copy()
    kpis = [c for c in frame.columns if c in KPI_NAMES]
    notes = {"scenario": "the scenario's file name", "replication": "the simulated market (the same i in every "
             "scenario: the same inquiries at the same moments)", "seed": "that market's seed"}  # fmt: skip
    notes |= {kpi_heading(k): f"{kpi(k).description} (replications.csv: {k})" for k in kpis}
    formats = {kpi_heading(k): FORMATS[_unit(k)] for k in kpis}
    return Sheet("kpis per replication", frame.rename(columns={k: kpi_heading(k) for k in kpis}), formats, notes=notes)


def pnl_sheet(comparison: Comparison) -> Sheet:
    """The P&L line by line, each scenario's mean and its change against the baseline."""
    sheet = side_by_side(comparison, PNL_KPIS, "P&L")
    sheet.frame = sheet.frame.rename(columns={"KPI": "line"})
    sheet.notes["line"] = (
        "a line of the P&L over the run: sales contribution = revenue less cost of sales; operating profit = "
        "margin of new and renewed contracts less cost of sales, marketing, account management, overhead, R&D and G&A"
    )
    del sheet.notes["KPI"]
    return sheet


def _cell(value: Any) -> Any:
    """A lever's value as Excel holds it: numbers as numbers, the rest in words."""
    if isinstance(value, bool) or value is None or isinstance(value, list | dict | str):
        return lever_value(value)
    return value


def inputs_sheet(comparison: Comparison) -> Sheet:
    """Every lever of every scenario: its label, its key, each scenario's value (numbers as numbers)."""
    from sim.experiments.compare import lever_values

    values = {s.name: lever_values(s) for s in comparison.scenarios}
    keys = list(dict.fromkeys(k for v in values.values() for k in v))
    frame = pd.DataFrame(
        {"lever": [lever_label(k) for k in keys], "key": keys}
        | {title(n): [_cell(v.get(k)) for k in keys] for n, v in values.items()}
    )
    notes = {"lever": "the lever in words", "key": "its key in a scenario file"}
    notes |= {title(n): f"{title(n)}'s setting ('default': the model's default)" for n in values}
    return Sheet("inputs", frame, notes=notes)


def _plain(name: str, frame: pd.DataFrame, notes: dict[str, str] | None = None) -> Sheet:
    """A table as it is written to its CSV; dollars where a column is an effect of a KPI row."""
    sheet = Sheet(name, frame, notes=notes or {})
    if "kpi" in frame.columns:
        units = [_unit(k) if isinstance(k, str) else "score" for k in frame["kpi"]]
        for col in ("effect", "ci_low", "ci_high", "so_far", "so_far_ci_low", "so_far_ci_high", "median", "p10",
                    "p90", "mean"):  # fmt: skip
            if col in frame.columns:
                sheet.row_formats[col] = [CHANGE_FORMATS[u] for u in units]
        if "p_positive" in frame.columns:
            sheet.formats["p_positive"] = FORMATS["share"]
        if "share_of_total" in frame.columns:
            sheet.formats["share_of_total"] = FORMATS["share"]
    return sheet


EFFECT_NOTES = {
    "lever": "the lever switched alone in the baseline (or the summary rows: all levers together; interaction, "
    "what appears only when they are combined)",
    "base_value": "the baseline's setting",
    "target_value": "the changed organization's setting",
    "kpi": "the KPI's code key",
    "effect": "mean change, paired market by market, in the KPI's unit",
    "ci_low": "95% interval of the change, low end",
    "ci_high": "95% interval of the change, high end",
    "share_of_total": "the lever's effect as a share of all levers together",
}
STEP_NOTES = {
    "step": "the step's number, in the timeline's order",
    "day": "the day the step is written for (day 0 is the first measured day)",
    "changes": "what the step changes",
    "effect": "the step's effect once the steps before it are in place (paired)",
    "so_far": "the effect of the steps up to and including this one",
}
STUDY_NOTES = {
    "median": "median over the assumption sets of the mean paired gain",
    "p10": "10th percentile of the gain over the sets",
    "p90": "90th percentile of the gain over the sets",
    "p_positive": "share of the sets with a gain above zero",
    "mean": "mean gain over the sets",
    "sets": "assumption sets counted",
}


def sheets(comparison: Comparison, study: Uncertainty | None, found: Answer | None, lines: list[str]) -> list[Sheet]:
    """Every sheet of comparison.xlsx, in order."""
    out = []
    if found is not None:
        out.append(answer_sheet(found, lines))
    out += [side_by_side(comparison), pnl_sheet(comparison), long_sheet(comparison), replications_sheet(comparison),
            inputs_sheet(comparison)]  # fmt: skip
    if comparison.explanation is not None:
        out.append(_plain("levers one at a time", comparison.explanation.table, EFFECT_NOTES))
        if comparison.explanation.steps is not None:
            out.append(_plain("timeline steps", comparison.explanation.steps, EFFECT_NOTES | STEP_NOTES))
    if study is not None:
        out.append(_plain("uncertainty", study.table, STUDY_NOTES | {"kpi": "the KPI's code key"}))
        out.append(_plain("assumption ranking", study.ranking))
        out.append(_plain("assumption sets", study.sets))
    seeds = pd.DataFrame({"replication": range(len(comparison.seeds)), "seed": comparison.seeds})
    out.append(Sheet("seeds", seeds, notes={"seed": f"the market's seed (root seed {comparison.seed})"}))
    return out


def notes_sheet(all_sheets: list[Sheet]) -> Sheet:
    """What each column of each sheet means."""
    rows = [(s.name, col, s.notes.get(col, "")) for s in all_sheets for col in s.frame.columns]
    return Sheet("notes", pd.DataFrame(rows, columns=["sheet", "column", "meaning"]))


def _width(values: list[Any]) -> float:
    longest = max((len(f"{v:,.2f}") if isinstance(v, float) else len(str(v)) for v in values), default=8)
    return min(max(longest + 2, 8), WIDEST)


def _write(ws: Worksheet, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    frame = sheet.frame
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([_excel(v) for v in row])
    for j, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        ws.cell(1, j).font = Font(bold=True)
        ws.cell(1, j).alignment = Alignment(wrap_text=True, vertical="top")
        formats = sheet.row_formats.get(col) or [sheet.formats.get(col, PLAIN)] * len(frame)
        for i, fmt in enumerate(formats, start=2):
            ws.cell(i, j).number_format = fmt
        ws.column_dimensions[letter].width = _width([col, *frame[col].tolist()])
    ws.freeze_panes = "B2" if len(frame.columns) > 1 else "A2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    start = len(frame) + 3
    for k, line in enumerate(sheet.text):
        cell = ws.cell(start + k, 1, line)
        cell.alignment = Alignment(wrap_text=False)


def _excel(value: Any) -> Any:
    """A cell's value: numpy scalars as Python numbers, NaN and infinities empty, everything else as is."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | dict | tuple):
        return str(value)
    return value


def write_workbook(
    path: Path, comparison: Comparison, study: Uncertainty | None = None, found: Answer | None = None,
    lines: list[str] | None = None,
) -> Path:  # fmt: skip
    """Write comparison.xlsx atomically; return its path."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    every = sheets(comparison, study, found, lines or [])
    every.append(notes_sheet(every))

    def write(tmp: Path) -> None:
        book = Workbook()
        book.remove(book.active)  # a new workbook's default sheet
        for sheet in every:
            _write(book.create_sheet(sheet.name[:31]), sheet)
        book.save(tmp)

    atomic_write(path, write)
    return path
