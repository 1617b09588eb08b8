"""The live dashboard: two organizations side by side on the same market (Mesa SolaraViz).

A baseline (the scenario given to ``salesim dashboard``, ``misaligned`` by
default) and a variant whose levers the user changes run on the same market:
both organizations are built with the same seed, so they meet the same
prospects (common random numbers) and every difference comes from the levers.
Change the variant's levers or pick other scenarios in the sidebar, then press
Reset: both organizations start again from day zero. Play, Step, Reset and the
play interval (speed) are SolaraViz's own controls.

Run it with ``salesim dashboard [SCEN]`` (or ``solara run sim.present.dashboard``); it needs
the ``dashboard`` extra. Monitors are computed every day by the KPI registry's own
computations on the lead log as it stands (``sim.measure.monitors``). Plots are drawn
with matplotlib on the server, so the page needs nothing from the internet; as
drawing dominates the cost of a day, in Play they are redrawn every 5th day.
"""

from __future__ import annotations

import html
import io
import json
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import solara
import yaml
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import force_update, update_counter

from sim.config.labels import describe_lever
from sim.config.registry import read, widgets
from sim.config.scenario import (
    Scenario,
    ScenarioError,
    builtin_names,
    change_days,
    load_scenario,
    scenario_to_dict,
)
from sim.experiments.compare import lever_differences
from sim.experiments.markets import SIDES, PairedMarkets
from sim.measure.kpis import MONITOR_KPIS, kpi
from sim.measure.monitors import STAGES
from sim.model.model import split_headcount
from sim.present.format import format_change, format_change_interval, format_kpi, format_value, heading, tick_formatter

BASELINE_ENV = "SALESIM_BASELINE"  # set by `salesim dashboard SCEN`
DEFAULT_BASELINE = "misaligned"
SAME = "(same as baseline)"
MAX_MARKETS = 8  # markets the dashboard runs side by side (each costs a day's work of two organizations)
PLOT_EVERY = 5  # in Play, plots are redrawn every 5th day (drawing dominates a day's cost); monitors every day
PLAYING_GAP_S = 0.75  # steps closer together than this are Play (or fast clicking), not one click of Step
COLORS = {"baseline": "#c0504d", "variant": "#2e75b6"}

# The variant's levers, from the registry (sim/config/registry.py): keyword -> dotted scenario key
# for drop-downs and checkboxes, keyword -> (what it reads, min, max) for sliders.
WIDGETS = widgets()
SELECT_LEVERS: dict[str, str] = {name: lv.key for name, (lv, w) in WIDGETS.items() if w.kind == "select"}
SLIDER_LEVERS: dict[str, tuple[str, int, int]] = {
    name: (w.reads or lv.key, w.low, w.high) for name, (lv, w) in WIDGETS.items() if w.kind == "slider"
}
LEVERS = SELECT_LEVERS | {k: v[0] for k, v in SLIDER_LEVERS.items()}
# "organization.field_reps" is the dashboard's own lever, the total over the teams (no scenario key of its own).
FIELD_REPS_LABEL = WIDGETS["field_reps"][1].label or "field reps"


# --------------------------------------------------------------------- levers


def start_ref() -> str:
    """The scenario the dashboard opens with: ``$SALESIM_BASELINE`` or ``misaligned``."""
    return os.environ.get(BASELINE_ENV) or DEFAULT_BASELINE


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """The value of every dashboard lever in a scenario (sliders as whole numbers)."""
    values = {name: read(scenario, dotted) for name, dotted in LEVERS.items()}
    for name in SLIDER_LEVERS:
        values[name] = round(values[name])
    return values


def lever_overrides(variant: Scenario, changed: dict[str, Any]) -> list[str]:
    """``dotted.key=value`` overrides that set the ``changed`` levers on the variant scenario."""
    overrides = []
    for name, value in changed.items():
        if name == "field_reps":
            teams = variant.organization.field_teams
            seats = split_headcount(int(value), [t.field_reps for t in teams])
            doc = [{"name": t.name, "field_reps": n} for t, n in zip(teams, seats, strict=True)]
            overrides.append(f"organization.field_teams={json.dumps(doc)}")
        else:
            overrides.append(f"{LEVERS[name]}={json.dumps(value)}")
    return overrides


# --------------------------------------------------------------------- monitors


class DashboardModel(mesa.Model):
    """A baseline and a variant organization stepped together on the same market.

    Args:
        start: the scenario the dashboard opened with; lever widgets start at its values,
            and a lever left at that value keeps the variant scenario's own setting.
        baseline: the baseline scenario (name or path; default ``start``).
        variant: the scenario the variant starts from (default: the baseline's).
        seed: the market, shared by both organizations (default: the baseline's seed).
        markets: markets run side by side (seeds ``seed``, ``seed + 1``, ...): the monitors show their
            mean, the difference its 95% interval over the paired markets, the plots a band.
        **levers: the variant's levers (keywords of ``SELECT_LEVERS`` and ``SLIDER_LEVERS``).

    Attributes:
        orgs: the two :class:`SalesOrgModel` of the first market, by side ("baseline", "variant").
        paired: the experiment (:class:`sim.experiments.markets.PairedMarkets`): it steps the markets
            and reduces their monitors to ``kpis``, ``spread`` and ``gap``; this page draws them.
        runs: every market's organizations, by side.
        changes: the variant's levers that differ from the baseline, in words.
        plot_day: the day the plots show; it lags ``day`` by up to 4 days in Play.
    """

    def __init__(
        self, start: str | None = None, baseline: str | None = None, variant: str = SAME, seed: int | None = None,
        markets: int = 1, **levers: Any,
    ) -> None:  # fmt: skip
        levers.pop("scenario", None)  # SolaraViz's reset passes mesa's own experiment scenario; unused here
        unknown = sorted(set(levers) - set(LEVERS))
        if unknown:
            raise TypeError(f"unknown levers: {', '.join(unknown)}")
        self.start = start or start_ref()
        base_ref = baseline or self.start
        variant_ref = base_ref if variant in (None, SAME) else variant
        self.variant_ref = variant_ref  # what a saved variant extends
        self.baseline_scenario = load_scenario(base_ref)
        defaults = lever_values(load_scenario(variant_ref))
        changed = {k: v for k, v in levers.items() if v != defaults[k]}
        self.problem = ""  # why the variant's levers could not be applied (shown on the page), if they could not
        try:
            self.variant_scenario = load_scenario(variant_ref, lever_overrides(load_scenario(variant_ref), changed))
        except ScenarioError as exc:  # e.g. score first without a lead score: say so, run the unchanged variant
            self.problem = str(exc).split(": ", 1)[-1]
            self.variant_scenario = load_scenario(variant_ref)
        self.changes = [describe_lever(*d) for d in lever_differences(self.baseline_scenario, self.variant_scenario)]
        self.seed = self.baseline_scenario.simulation.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        if not 1 <= int(markets) <= MAX_MARKETS:
            raise ValueError(f"markets: between 1 and {MAX_MARKETS}")
        self.markets = int(markets)
        # day 0 of the dashboard is the first day after the warm-up
        self.paired = PairedMarkets(self.baseline_scenario, self.variant_scenario, self.seed, self.markets)
        self.runs = self.paired.runs
        self.orgs = {side: runs[0] for side, runs in self.runs.items()}
        self.days = self.baseline_scenario.simulation.days
        self.day = self.plot_day = 0
        self._stepped_at = -math.inf
        reporters: dict[str, Callable[..., Any]] = {"day": lambda m: m.day}
        for side in SIDES:
            for name in MONITOR_KPIS:
                reporters[f"{side} {name}"] = lambda m, s=side, k=name: m.kpis[s][k]
                if self.markets > 1:
                    reporters[f"{side} {name} low"] = lambda m, s=side, k=name: m.spread[s][k][0]
                    reporters[f"{side} {name} high"] = lambda m, s=side, k=name: m.spread[s][k][1]
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.datacollector.collect(self)
        # the days the variant changes: its scenario's own timeline, then what "Apply now" adds
        self.marks = [d for d in change_days(self.variant_scenario) if d < self.days]
        # Play steps in a thread of its own, the page draws in another and Apply now runs in a third: one lock
        # makes a day, a drawing and a change each whole (a drawing never reads a day half-collected)
        self.lock = threading.RLock()
        self.applied: list[int] = []  # the days Apply now changed the variant

    def apply_now(self, **levers: Any) -> list[str]:
        """Change the running variant's levers from today, as a dated ``timeline`` change would.

        Levers that differ from those the variant works under become a ``set:`` on today
        (a pay plan from the next quarter), a new headcount becomes hires or exits spread
        over the teams as the sidebar's total is; the transition costs what a dated change
        costs. Returns the changes in words (empty when nothing differs); a combination the
        schema refuses raises :class:`ScenarioError` and changes nothing.
        """
        unknown = sorted(set(levers) - set(LEVERS))
        if unknown:
            raise TypeError(f"unknown levers: {', '.join(unknown)}")
        with self.lock:
            return self._apply(levers)

    def _apply(self, levers: dict[str, Any]) -> list[str]:
        org = self.orgs["variant"]  # every market's variant has the same organization
        today = self.day
        current = lever_values(org.levers)
        seats = {
            "field_reps": [sum(not r.closed for r in team) for team in org.field_by_team],
            "inside_reps": [sum(not r.closed for r in pool.reps) for pool in org.pools],
        }
        current |= {name: sum(n) for name, n in seats.items()}
        changed = {k: v for k, v in levers.items() if v != current[k]}
        if today >= self.days or not changed:
            return []
        entries: list[dict] = []
        sets = {LEVERS[k]: v for k, v in changed.items() if k not in seats}
        if sets:
            entries.append({"day": today, "set": sets})
        for name, now in seats.items():
            if name not in changed:
                continue
            teams = org.team_names if name == "field_reps" else [org.team_names[p.teams[0]] for p in org.pools]
            target = (
                split_headcount(int(changed[name]), now)
                if sum(now)
                else split_headcount(int(changed[name]), [1] * len(now))
            )
            for team, old, new in zip(teams, now, target, strict=True):
                if new != old:
                    kind = "hire" if new > old else "exit"
                    entries.append({"day": today, kind: {"team": team, name: abs(new - old)}})
        for each in self.runs["variant"]:
            each.plan(entries)
        words = [
            f"{FIELD_REPS_LABEL}: {current[k]} → {v}" if k == "field_reps" else describe_lever(LEVERS[k], current[k], v)
            for k, v in changed.items()
        ]
        self.changes.append(f"from day {today}: {', '.join(words)}")
        self.marks.append(today)
        self.applied.append(today)
        return words

    def variant_yaml(self) -> str:
        """The variant as it runs, as a scenario file: ``extends:`` its start, the keys it changes, its timeline.

        The changes applied so far are dated entries of its timeline (a scenario of the user's is extended by
        its path).
        """
        with self.lock:
            current = scenario_to_dict(self.orgs["variant"].config)
        parent = scenario_to_dict(load_scenario(self.variant_ref))
        data: dict[str, Any] = {
            "name": f"{current['name']}-variant"[:80],
            "description": f"Saved from the salesim dashboard on day {self.day}: "
            f"{'; '.join(self.changes) or 'no changes'}"[:500],
            "extends": self.variant_ref,
        }
        data |= _without_nulls(_changed(parent, current))
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def days_frame(self) -> Any:
        """Both organizations' monitors day by day, headed by label and unit, with the scenarios and the market."""
        with self.lock:
            frame = self.datacollector.get_model_vars_dataframe().copy()
        names = {"baseline": self.baseline_scenario.name, "variant": self.variant_scenario.name}
        columns = {}
        for column in frame.columns:
            side, _, rest = column.partition(" ")
            name, _, end = rest.partition(" ")
            if side in names and name in MONITOR_KPIS:
                columns[column] = (
                    f"{side} ({names[side]}): {_monitor_label(name)} ({kpi(name).unit}){' ' + end if end else ''}"
                )
        frame = frame.rename(columns=columns)
        frame.insert(1, "baseline scenario", names["baseline"])
        frame.insert(2, "variant scenario", names["variant"])
        frame.insert(3, "market seed", self.seed)
        frame.insert(4, "markets", self.markets)
        return frame

    def days_csv(self) -> str:
        """Both organizations' monitors, day by day, as CSV (:meth:`days_frame`)."""
        return self.days_frame().to_csv(index=False)

    @property
    def kpis(self) -> dict[str, dict[str, Any]]:
        """Each side's monitors and funnel as of the last day (the mean over the markets)."""
        return self.paired.view.kpis

    @property
    def spread(self) -> dict[str, dict[str, tuple[float, float]]]:
        """Each side's lowest and highest value of each monitor over the markets."""
        return self.paired.view.spread

    @property
    def gap(self) -> dict[str, tuple[float, float, float]]:
        """Each monitor's variant - baseline difference: mean and 95% interval over the paired markets."""
        return self.paired.view.gap

    def step(self) -> None:
        """One day in both organizations (every market), then the monitors."""
        with self.lock:
            self._step()
        now, previous = time.monotonic(), self._stepped_at
        self._stepped_at = now
        if now - previous > PLAYING_GAP_S or self.day % PLOT_EVERY == 0 or not self.running:
            self.plot_day = self.day  # redraw the plots: a click of Step, every 5th day in Play, the last day

    def _step(self) -> None:
        self.paired.step()
        self.day += 1
        self.datacollector.collect(self)
        self.running = self.day < self.days

    def run_to(self, day: int) -> int:
        """Step to ``day`` (at most the last) without drawing, then let the plots draw once; return the day reached.

        The lock is held throughout: a drawing or a change asked for meanwhile waits for the day reached.
        """
        with self.lock:
            while self.day < min(int(day), self.days):
                self._step()
            self.plot_day = self.day
        return self.day


def _changed(parent: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``current`` whose values differ from ``parent``'s (nested sections as nested dicts)."""
    out: dict[str, Any] = {}
    for key, value in current.items():
        if key in ("name", "description"):
            continue
        before = parent.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            inner = _changed(before, value)
            if inner:
                out[key] = inner
        elif value != before:
            out[key] = value
    return out


def _without_nulls(value: Any) -> Any:
    """A scenario's values without the keys left empty (a timeline entry's hire: null, ...)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


# The monitors as they read mid-run: a KPI "at the end" is, on the page, as it stands today.
MONITOR_LABELS = {"customers": "customers now", "recurring_revenue": "recurring revenue now (ARR)"}


def _monitor_label(name: str) -> str:
    return MONITOR_LABELS.get(name, kpi(name).label)


# --------------------------------------------------------------------- components


def _markets_words(model: DashboardModel) -> str:
    if model.markets == 1:
        return f"market seed {model.seed}"
    return (f"mean of {model.markets} markets (seeds {model.seed}-{model.seed + model.markets - 1}); "
            "differences with their 95% interval over the paired markets")  # fmt: skip


def _difference(model: DashboardModel, name: str) -> str:
    """Variant - baseline: the mean difference, with its 95% interval over the paired markets when there are several."""
    mean, low, high = model.gap[name]
    if kpi(name).unit == "hours" and all(abs(v) < 1 for v in (mean, low, high) if math.isfinite(v)):
        minutes = (f"{v * 60:+.0f} min" if math.isfinite(v) else "n/a" for v in (mean, low, high))
        mean_m, low_m, high_m = minutes  # a gap of minutes reads in minutes, not "+0.0299 h"
        return (
            mean_m if model.markets == 1 else f"{mean_m} <span class='ci' style='color:#888'>[{low_m}, {high_m}]</span>"
        )
    if model.markets == 1:
        return format_change(name, mean)
    text = html.escape(format_change_interval(name, mean, low, high))
    return text.replace("[", "<span class='ci' style='color:#888'>[", 1).replace("]", "]</span>", 1)


def _monitors_html(model: DashboardModel) -> str:
    """The monitors as one table: a column (pane) per organization, and the difference."""
    base, variant = model.kpis["baseline"], model.kpis["variant"]
    head = "".join(
        f"<th class='salesim-{side}' style='border-top:4px solid {COLORS[side]};text-align:right;padding:2px 8px'>"
        f"{side}<br><b>{html.escape(scenario.name)}</b>{extra}</th>"
        for side, scenario, extra in (
            ("baseline", model.baseline_scenario, ""),
            ("variant", model.variant_scenario, _applied_words(model)),
        )
    )
    rows = "".join(
        f"<tr><td>{html.escape(heading(_monitor_label(name)))}</td>"
        f"<td class='v salesim-baseline'>{format_kpi(name, base[name])}</td>"
        f"<td class='v salesim-variant'>{format_kpi(name, variant[name])}</td>"
        f"<td class='d'>{_difference(model, name)}</td></tr>"
        for name in MONITOR_KPIS
    )
    changes = "; ".join(model.changes) or "same levers as the baseline"
    if model.problem:
        changes += f" (the levers set in the sidebar were not applied: {model.problem})"
    return (
        f"<div class='salesim-day'><b>Day {model.day} of {model.days}</b>, {_markets_words(model)}</div>"
        "<style>.salesim-table td{padding:1px 8px;text-align:right}.salesim-table td:first-child{text-align:left}"
        "</style><table class='salesim-table' style='font-size:13px;width:100%;border-collapse:collapse'>"
        f"<tr><th style='text-align:left;padding:2px 8px'>so far (day {model.day})</th>{head}"
        "<th style='text-align:right;padding:2px 8px'>variant<br>&minus; baseline</th></tr>"
        f"{rows}</table><div class='salesim-changes' style='font-size:11px;color:#555;margin-top:6px'>"
        f"<b>Variant levers:</b> {html.escape(changes)}</div>"
    )


def _applied_words(model: DashboardModel) -> str:
    """Under the variant's name: the days Apply now changed it (it is no longer its starting scenario)."""
    days = sorted(set(model.applied))
    if not days:
        return ""
    return f"<br><small>changed on day {', '.join(str(d) for d in days)}</small>"


@solara.component
def Monitors(model: DashboardModel):
    """Both organizations' live monitors side by side, with the difference."""
    update_counter.get()
    with model.lock:
        text = _monitors_html(model)
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=["salesim-monitors"])
    solara.Text(
        "Set the variant's levers in the sidebar (a lever left alone keeps the variant scenario's setting), "
        "then Reset (both organizations start again on the same market) or Apply now (the running variant "
        "changes from today, with the transition a dated change costs).",
        style="font-size:11px;color:#777",
    )


def chart_png(draw: Callable[[Any, DashboardModel], None], model: DashboardModel) -> bytes:
    """One plot as PNG bytes, drawn from a whole day (the model's lock held: never while a step collects it)."""
    fig = Figure(figsize=(6.4, 4.2), dpi=90, layout="constrained")  # titles never clipped
    with model.lock:
        draw(fig.subplots(), model)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def chart(draw: Callable[[Any, DashboardModel], None]):
    """A plot component: matplotlib on the server, redrawn only when the model's ``plot_day`` moves."""

    @solara.component
    def Chart(model: DashboardModel):
        update_counter.get()
        solara.Image(solara.use_memo(lambda: chart_png(draw, model), [model, model.plot_day]), width="100%")

    return Chart


def _lines(column: str, title: str, ylabel: str, unit: str):
    """Both organizations' daily ``column`` from the dashboard's DataCollector, ticks in ``unit``."""

    def draw(ax, model: DashboardModel) -> None:
        frame = model.datacollector.get_model_vars_dataframe()
        for side in SIDES:
            ax.plot(frame["day"], frame[f"{side} {column}"], color=COLORS[side], label=side)
            if f"{side} {column} low" in frame:
                low, high = frame[f"{side} {column} low"], frame[f"{side} {column} high"]
                ax.fill_between(frame["day"], low, high, color=COLORS[side], alpha=0.15, linewidth=0)
        for day in model.marks:
            if day <= model.day:
                ax.axvline(day, color=COLORS["variant"], linestyle=":", linewidth=1.2)
        if model.marks:
            ax.plot([], [], color=COLORS["variant"], linestyle=":", label="variant changed")
        ax.set_xlim(0, max(30, model.day))
        mine = {f"{side} {column}{end}" for side in SIDES for end in ("", " low", " high")}
        values = frame[[c for c in frame.columns if c in mine]]
        values = values.to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        low, high = (values.min(), values.max()) if values.size else (0.0, 0.0)
        if unit == "points":  # satisfaction: at least ten points tall, so a half-point gap looks like one
            middle, half = (low + high) / 2, max(5.0, (high - low) / 2 * 1.1)
            ax.set_ylim(max(0.0, middle - half), min(100.0, middle + half))
        else:  # money from zero, never a +-0.04 axis on an empty day
            ax.set_ylim(0, max(high * 1.05, 1.0 if unit != "dollars" else 100_000.0))
        ax.yaxis.set_major_formatter(tick_formatter(unit))
        spread = f"\n(mean and range of {model.markets} markets)" if model.markets > 1 else ""
        ax.set(title=f"{title}, day {model.day}{spread}", xlabel="day", ylabel=ylabel)
        ax.legend(loc="upper left")

    return draw


def _funnel(ax, model: DashboardModel) -> None:
    """Leads that reached each stage so far, both organizations, on a log scale."""
    y = np.arange(len(STAGES))
    for offset, side in ((-0.2, "baseline"), (0.2, "variant")):
        counts = np.array([model.kpis[side]["funnel"][s] for s in STAGES], dtype=float)
        bars = ax.barh(y + offset, np.where(counts > 0, counts, np.nan), height=0.4, color=COLORS[side], label=side)
        ax.bar_label(bars, labels=[format_value("count", c) for c in counts], fontsize=7, padding=2)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(tick_formatter("count"))  # plain numbers: no mathtext, much faster to draw
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(left=0.8, right=max(10.0, 4.0 * max(k["funnel"]["created"] for k in model.kpis.values())))
    ax.set_yticks(y, STAGES)
    ax.invert_yaxis()
    ax.set(title=f"Funnel of the leads created since day 0, day {model.day}", xlabel="leads (log scale)")
    ax.legend(loc="lower right")


CHARTS = [
    chart(_lines("revenue", "Cumulative revenue", "revenue", "dollars")),
    chart(_funnel),
    chart(
        _lines("prospect_satisfaction", "Prospect satisfaction (mean of all leads)", "satisfaction (0-100)", "points")
    ),
]


def model_params(start: str) -> dict[str, dict[str, Any]]:
    """The sidebar's widgets: scenario pickers, the market seed and the variant's levers (name -> spec)."""
    defaults = lever_values(load_scenario(start))
    names = builtin_names() if start in builtin_names() else [start, *builtin_names()]
    seed = load_scenario(start).simulation.seed
    params: dict[str, dict[str, Any]] = {
        "baseline": {"type": "Select", "value": start, "values": names, "label": "Baseline scenario"},
        "variant": {"type": "Select", "value": SAME, "values": [SAME, *names], "label": "Variant starts from"},
        "seed": {"type": "SliderInt", "value": seed, "min": 0, "max": max(99, seed), "label": "Market (seed, shared)"},
        "markets": {
            "type": "SliderInt",
            "value": 1,
            "min": 1,
            "max": MAX_MARKETS,
            "label": "Markets side by side (bands)",
        },
    }
    for name, (lever, widget) in WIDGETS.items():
        label = heading(widget.label or lever.label)
        if widget.kind == "slider":
            value = defaults[name]
            params[name] = {"type": "SliderInt", "value": value, "min": min(widget.low, value),
                            "max": max(widget.high, value), "label": label}  # fmt: skip
        elif lever.choices == (True, False):
            params[name] = {"type": "Checkbox", "value": defaults[name], "label": label}
        else:
            params[name] = {"type": "Select", "value": defaults[name], "values": list(lever.choices), "label": label}  # type: ignore[arg-type]  # a select's lever has choices
    return params


SCENARIO_WIDGETS = ("baseline", "variant", "seed", "markets")


def sidebar_after(values: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """The sidebar's values after one widget changed: picking a scenario shows the variant's levers."""
    values = {**values, name: value}
    if name in ("baseline", "variant"):
        ref = values["baseline"] if values["variant"] == SAME else values["variant"]
        values |= lever_values(load_scenario(ref))
    return values


@solara.component
def Inputs(specs: dict[str, dict[str, Any]], values: solara.Reactive[dict[str, Any]]):
    """Widgets that show their values (sliders always label their thumb) and write them to ``values``."""
    for name, spec in specs.items():

        def on_value(value: Any, name: str = name) -> None:
            values.set(sidebar_after(values.value, name, value))

        kind, label, value = spec["type"], spec["label"], values.value[name]
        if kind == "SliderInt":
            solara.SliderInt(
                f"{label}: {value}", value=value, min=spec["min"], max=spec["max"], step=1, on_value=on_value,
                thumb_label="always",
            )  # fmt: skip
        elif kind == "Checkbox":
            solara.Checkbox(label=label, value=value, on_value=on_value)
        else:
            solara.Select(label, value=value, values=spec["values"], on_value=on_value)


@solara.component
def ApplyNow(model: solara.Reactive[DashboardModel], values: solara.Reactive[dict[str, Any]]):
    """Apply the sidebar's levers to the running variant from today; say what changed or why not."""
    said = solara.use_reactive("")

    def apply() -> None:
        levers = {k: v for k, v in values.value.items() if k in LEVERS}
        try:
            words = model.value.apply_now(**levers)
        except ScenarioError as exc:
            said.set(f"Not applied: {str(exc).split(': ', 1)[-1]}")
            return
        said.set(f"Applied on day {model.value.day}: {'; '.join(words)}" if words else "Nothing to apply.")
        force_update()

    solara.Button("Apply now to the variant", color="secondary", on_click=apply, classes=["salesim-apply"])
    if said.value:
        solara.Text(said.value, classes=["salesim-applied"], style="font-size:12px")


@solara.component
def RunTo(model: solara.Reactive[DashboardModel]):
    """Run to day N: the days are stepped without drawing (in a thread of their own), then drawn once."""
    target = solara.use_reactive(model.value.days)
    said = solara.use_reactive("")

    def run() -> None:
        current = model.value
        said.set(f"Running to day {min(target.value, current.days)} without drawing...")

        def work() -> None:
            started = time.monotonic()
            reached = current.run_to(target.value)
            said.set(f"Day {reached} reached in {time.monotonic() - started:.0f} s.")
            force_update()

        threading.Thread(target=work, name="salesim-run-to", daemon=True).start()

    with solara.Row():
        solara.InputInt("Run to day", value=target, continuous_update=False)
        solara.Button("Run to day", color="primary", on_click=run, classes=["salesim-run-to"])
    if said.value:
        solara.Text(said.value, classes=["salesim-ran"], style="font-size:12px")


@solara.component
def Downloads(model: DashboardModel):
    """Save the variant as a scenario file, and both organizations' days as CSV."""
    update_counter.get()
    solara.FileDownload(model.variant_yaml, filename=f"{model.variant_scenario.name}-variant.yaml",
                        label="Save the variant (YAML)", mime_type="text/yaml")  # fmt: skip
    days = f"{model.baseline_scenario.name}-vs-{model.variant_scenario.name}-seed{model.seed}-days.csv"
    solara.FileDownload(model.days_csv, filename=days, label="Download the days (CSV)",
                        mime_type="text/csv")  # fmt: skip


TITLE = "salesim: baseline vs variant, same market"
PLAY_INTERVAL_MS = 150
SPEEDS = [1, 5, 10, 30]  # days per Step and per tick of Play


@solara.component
def Page():
    """The dashboard page (``solara run sim.present.dashboard``): one model per browser session.

    Mesa's own run controls (Reset, Play, Step) in a sidebar of our own: the scenarios and the
    market, the variant's levers (Reset starts both again; "Apply now" changes the running
    variant from today), and the downloads; the monitors and plots beside it.
    """
    start = start_ref()
    specs = solara.use_memo(lambda: model_params(start), [])
    first = solara.use_memo(lambda: DashboardModel(start=start), [])
    model = solara.use_reactive(first)
    values = solara.use_reactive({name: spec["value"] for name, spec in specs.items()})
    # Mesa's controller reads these as reactive values; the page fixes them (a day a step, no threads)
    play_interval, days_a_step, no_threads = (solara.use_reactive(PLAY_INTERVAL_MS), solara.use_reactive(1),
                                              solara.use_reactive(False))  # fmt: skip
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                model, model_parameters=values, play_interval=play_interval, render_interval=days_a_step,
                use_threads=no_threads,
            )  # fmt: skip
            solara.Select("Speed: days a tick", value=days_a_step, values=SPEEDS)
            solara.Text(
                "▶ plays (❚❚ pauses), a tick at a time; Step moves one tick. Reset starts both organizations "
                "again with the sidebar's settings; Apply now changes the running variant from today (a dotted "
                "line marks the day).",
                style="font-size:11px;color:#777",
            )
            RunTo(model)
            ApplyNow(model, values)
            Downloads(model.value)
        with solara.Card("Scenarios and market"):
            Inputs({k: specs[k] for k in SCENARIO_WIDGETS}, values)
        with solara.Card("Variant's levers"):
            Inputs({k: v for k, v in specs.items() if k not in SCENARIO_WIDGETS}, values)
    with solara.Column():
        Monitors(model.value)
        with solara.GridFixed(columns=2):
            for component in CHARTS:
                component(model.value)
