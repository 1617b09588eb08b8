"""The dashboard live: stepping, drawing and Apply now at once never race; run to day N draws once."""

from __future__ import annotations

import threading
from pathlib import Path

from sim.present.dashboard import DashboardModel, _funnel, _lines, _monitors_html, chart_png

SHORT = "name: short\nextends: misaligned\nsimulation: {days: 45, warmup_days: 14, seed: 2}\n"


def _short(tmp_path: Path) -> str:
    path = tmp_path / "short.yaml"
    path.write_text(SHORT)
    return str(path)


def test_stepping_drawing_and_applying_at_once_never_race(tmp_path: Path) -> None:
    """Play steps in one thread while the page draws in another and Apply now runs in a third."""
    model = DashboardModel(start=_short(tmp_path))
    errors: list[BaseException] = []
    draws = [_lines("revenue", "Cumulative revenue", "revenue", "dollars"), _funnel]

    def guard(work):
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # any failure in a thread fails the test
                errors.append(exc)

        return threading.Thread(target=run)

    def stepping() -> None:
        while model.running:
            model.step()

    def drawing() -> None:
        while model.running:
            for draw in draws:
                assert chart_png(draw, model).startswith(b"\x89PNG")
            _monitors_html(model)
            model.days_csv()

    def applying() -> None:
        hours, applied = [4, 24], set()
        while model.running:
            with model.lock:  # one change a day (a second change of a lever on one day is refused, as on the page)
                if model.day not in applied and model.running:
                    applied.add(model.day)
                    model.apply_now(sla_hours=hours[model.day % 2])

    threads = [guard(stepping), guard(drawing), guard(applying)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert model.day == model.days
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.days + 1 and list(frame["day"]) == list(range(model.days + 1))


def test_run_to_day_n_steps_without_drawing_then_draws_once(tmp_path: Path) -> None:
    model = DashboardModel(start=_short(tmp_path))
    assert model.run_to(30) == 30 and model.plot_day == 30  # the plots draw the day reached, once
    assert model.run_to(10_000) == model.days and not model.running  # never past the last day
    assert chart_png(_funnel, model).startswith(b"\x89PNG")
