"""Slides (16:9, labels 14 pt or larger), a timeline's days as the scenario writes them, and when a step pays back."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sim.config.scenario import load_scenario
from sim.present.slides import MIN_POINTS, SLIDE, change_marks, funnel_slide, levers_slide
from sim.present.steps import change_words, payback_days
from tests.test_report import SHORT, _planted


def _texts(fig):
    """Every text drawn: titles, axis labels, tick labels within the axes' limits, annotations, legends."""
    FigureCanvasAgg(fig).draw()  # lay out, so tick labels exist
    texts = [*fig.texts, fig._suptitle] if fig._suptitle else list(fig.texts)
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        for ticks, labels, (lo, hi) in ((ax.get_xticks(), ax.get_xticklabels(), sorted(ax.get_xlim())),
                                        (ax.get_yticks(), ax.get_yticklabels(), sorted(ax.get_ylim()))):  # fmt: skip
            texts += [label for at, label in zip(ticks, labels, strict=True) if lo <= at <= hi]
        legend = ax.get_legend()
        texts += legend.get_texts() if legend else []
    return [t for t in texts if t.get_text() and t.get_visible()]


def _check_slide(fig):
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE)
    assert fig.get_size_inches()[0] / fig.get_size_inches()[1] == pytest.approx(16 / 9, rel=1e-3)
    texts = _texts(fig)
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_POINTS]
    assert not small, small
    box = fig.bbox  # no text leaves the slide (a clipped title, a cut label)
    out = [t.get_text() for t in texts if t.get_visible() and not box.contains(*t.get_window_extent().p0)]
    out += [t.get_text() for t in texts if t.get_visible() and not box.contains(*t.get_window_extent().p1)]
    assert not out, out


def test_the_levers_slide_is_16_9_with_labels_of_14_pt_and_the_interaction_apart():
    explanation = _planted({"handoff.mode": [100.0, 90, 110], "feedback.mode": [40.0, 45, 35]})
    fig = levers_slide(explanation)
    _check_slide(fig)
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "together, beyond their sum (not a lever)"  # drawn last (lowest), apart
    assert all("interaction" not in label for label in labels)


def test_the_answer_slide_states_the_gain_and_the_levers_best_first(pair):
    from sim.present.answer import build_answer
    from sim.present.slides import answer_slide

    found = build_answer(pair, "misaligned", "aligned")
    explanation = _planted({"handoff.mode": [10.0, 12, 8], "feedback.mode": [40.0, 45, 35], "nurture.mode": [-5.0] * 3})
    fig = answer_slide(found, explanation)
    _check_slide(fig)
    right = [t.get_text().replace("\n", " ") for t in fig.axes[1].get_yticklabels()]
    assert right[0].startswith("feedback") and len(right) == 3  # the best first, as "what to do first" ranks
    assert "in sales contribution" in fig.get_suptitle()


def test_the_funnel_slide_is_linear_and_readable(pair):
    fig = funnel_slide(pair)
    _check_slide(fig)
    assert fig.axes[0].get_xscale() == "linear"


def test_changes_are_marked_on_the_scenarios_own_days_and_a_deferred_pay_plan_is_named():
    reorg = load_scenario("reorg")
    assert [d for d, _ in change_marks(reorg)] == [90, 181, 273]  # as written: day 90 is day 90
    late = reorg.model_copy(
        update={"timeline": [*reorg.timeline[:2], reorg.timeline[2].model_copy(update={"day": 200})]}
    )
    marks = dict(change_marks(late))
    assert marks[273] == "day 273: pay plan set on day 200" and 200 not in marks  # from the next quarter
    words = change_words({"day": 200, "set": {"compensation.inside": "per_opportunity"}})
    assert words == ["inside reps' pay: per opportunity (a pay plan: from day 273, the next pay period)"]


def test_a_step_pays_back_the_day_after_it_was_last_behind():
    gaps = np.array(
        [
            [0, 0, -5, -3, 2, 4],  # behind on days 2-3: pays back from day 4
            [0, 0, 1, 2, 3, 4],  # never behind: from the step's own day
            [0, 0, -1, -2, -3, -4],  # still behind at the end: not within the period
        ],
        dtype=float,
    )
    days = payback_days(gaps, start=2)
    assert days[0] == 4 and days[1] == 2 and np.isnan(days[2])


@pytest.fixture(scope="module")
def pair():
    from sim.experiments.compare import compare

    mis, ali = load_scenario("misaligned", SHORT), load_scenario("aligned", SHORT)
    return compare([mis, ali], n=2, workers=1)


def test_a_two_step_reorganization_is_reported_step_by_step(tmp_path):
    """Each dated step: its day as written, its changes in words, its gain, its dip and when it pays back."""
    from sim.config.scenario import validate
    from sim.experiments.compare import compare
    from sim.present.report import render, write_comparison
    from sim.present.steps import step_rows

    short = ["simulation.warmup_days=7", "simulation.days=16"]
    base = load_scenario("misaligned", short)
    data = base.model_dump(mode="json", exclude_none=True) | {"name": "two_steps", "description": "two steps"}
    data["timeline"] = [
        {"day": 6, "set": {"handoff.sla_hours": 4, "handoff.sla_enforced": True}},
        {"day": 12, "set": {"compensation.inside": "per_opportunity"}},  # a pay plan: from the next quarter
    ]
    target = validate(data, source="test")
    result = compare([base, target], n=2, workers=1, explain=(base, target))
    rows = step_rows(result)
    assert [(r["step"], r["day"]) for r in rows] == [(1, 6), (2, 12)]
    assert rows[0]["changes"] == ["follow-up SLA (business hours): 4", "follow-up SLA enforced: yes"]
    assert rows[1]["changes"] == ["inside reps' pay: per opportunity (a pay plan: from day 90, the next pay period)"]
    for r in rows:
        assert r["payback"].startswith(("day ", "not within")) and r["dip"]
    page = render(result, {}, "cmd")
    assert "The re-organization step by step" in page and "Day 12: inside reps&#39; pay" in page
    write_comparison(result, tmp_path, "cmd")
    assert (tmp_path / "figures" / "slides" / "change_over_time.png").is_file()
