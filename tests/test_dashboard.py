"""The live dashboard (``salesim dashboard``): its model, its command, and the page in a real browser.

The browser test drives Debian's Chromium (installed with apt-get when missing,
never a downloaded browser) through the playwright package. It proves the page
works offline: the browser may reach only the loopback address, and the server
is given a dead CDN address and a dead proxy, so any asset not served locally,
and any call home, fails: the page must render with what the packages ship.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
import yaml

from sim.config.scenario import ScenarioError, load_scenario
from sim.measure.summary import summarize_model
from sim.present.dashboard import SAME, DashboardModel, _monitors_html, lever_values, model_params, sidebar_after

SALESIM = str(Path(sys.executable).parent / "salesim")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEAD = "http://127.0.0.1:9"  # nothing listens on the discard port: connections are refused at once
MONITORED = (
    "revenue",
    "deals_won",
    "win_rate",
    "leads_ignored",
    "median_response_hours",
    "customers",
    "recurring_revenue",
)
MONITORED += ("prospect_satisfaction", "roi")


# --------------------------------------------------------------------- the model


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b  # the same computation on the same rows: to the last bit


@pytest.mark.parametrize(("baseline", "variant"), [("misaligned", "aligned"), ("field_only", "integrated")])
def test_monitors_match_the_kpis_of_the_lead_log(baseline: str, variant: str) -> None:
    model = DashboardModel(start=baseline, variant=variant)
    for _ in range(80):
        model.step()
    for side, org in model.orgs.items():
        kpis = summarize_model(org, org.book.to_frame(org.team_names))
        for kpi in MONITORED:
            assert _same(model.kpis[side][kpi], kpis[kpi]), (side, kpi, model.kpis[side][kpi], kpis[kpi])
        # the funnel drawn is the report's: the run's leads the inside team works, by the stage reached
        funnel = model.kpis[side]["funnel"]
        leads = org.book.to_frame(org.team_names)
        cohort = leads[~leads["in_flight"] & ~leads["source"].isin(["field", "referral"])]
        stamps = ["created_at", "contacted_at", "qualified_at", "handed_off_at", "accepted_at", "opportunity_at"]
        through = [cohort[stamps[: i + 1]].notna().all(axis=1) for i in range(len(stamps))]
        expected = [int(t.sum()) for t in through] + [int((through[-1] & (cohort["outcome"] == "won")).sum())]
        assert list(funnel.values()) == expected
        assert all(a >= b for a, b in itertools.pairwise(funnel.values())), funnel  # monotone
    assert model.datacollector.get_model_vars_dataframe().shape[0] == 81  # day 0 and 80 days


def test_same_levers_same_market_same_numbers_and_a_lever_makes_the_difference() -> None:
    twin = DashboardModel(start="misaligned", **lever_values(load_scenario("misaligned")))
    for _ in range(10):
        twin.step()
    assert twin.kpis["baseline"] == twin.kpis["variant"]
    assert twin.changes == []

    model = DashboardModel(start="misaligned", handoff_mode="warm", sla_hours=4, field_reps=25)
    assert model.variant_scenario.handoff.mode == "warm"
    assert model.variant_scenario.handoff.sla_hours == 4
    assert [t.field_reps for t in model.variant_scenario.organization.field_teams] == [13, 12]
    assert model.baseline_scenario == load_scenario("misaligned")
    assert "handoff: cold → warm" in model.changes
    for _ in range(10):
        model.step()
    assert model.kpis["baseline"] == twin.kpis["baseline"]  # the baseline is untouched by the variant's levers
    assert model.kpis["variant"] != model.kpis["baseline"]


def test_levers_left_alone_keep_the_variant_scenario() -> None:
    aligned = lever_values(load_scenario("aligned"))
    model = DashboardModel(start="misaligned", variant="aligned", **aligned)
    assert model.variant_scenario == load_scenario("aligned")
    # the sidebar shows the variant's own levers once a variant is picked
    values = {name: spec["value"] for name, spec in model_params("misaligned").items()}
    picked = sidebar_after(values, "variant", "aligned")
    assert {k: picked[k] for k in aligned} == aligned and picked["variant"] == "aligned"
    assert (
        sidebar_after(picked, "variant", SAME)["handoff_mode"]
        == lever_values(load_scenario("misaligned"))["handoff_mode"]
    )
    model = DashboardModel(start="misaligned", baseline="aligned", variant=SAME, seed=7)
    assert model.baseline_scenario == model.variant_scenario == load_scenario("aligned")
    assert model.orgs["baseline"].seed == model.orgs["variant"].seed == 7
    with pytest.raises(TypeError, match="unknown levers"):
        DashboardModel(start="misaligned", sla=3)


def test_a_scenario_file_opens_the_dashboard(tmp_path: Path) -> None:
    path = tmp_path / "client.yaml"
    path.write_text("name: client\nextends: misaligned\nhandoff: {sla_hours: 12}\nsimulation: {days: 20, seed: 5}\n")
    params = model_params(str(path))
    assert params["baseline"]["value"] == str(path)
    assert str(path) in params["baseline"]["values"] and "aligned" in params["variant"]["values"]
    assert params["sla_hours"]["value"] == 12
    model = DashboardModel(start=str(path), sla_hours=12)  # the widget's start value: nothing changed
    assert model.baseline_scenario.name == model.variant_scenario.name == "client"
    assert model.changes == [] and model.seed == 5
    while model.running:
        model.step()
    assert model.day == 20 and model.plot_day == 20


def test_dashboard_command_rejects_a_bad_scenario_in_one_line() -> None:
    proc = subprocess.run([SALESIM, "dashboard", "no_such_scenario"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("salesim: error: no_such_scenario: not a file and not a built-in scenario")
    assert len(proc.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------- the page


def _chromium() -> str:
    """Debian's Chromium, installed with apt-get when missing (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM) and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=False, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, timeout=900)
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: apt-get install chromium")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_server(proc: subprocess.Popen, url: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the dashboard server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the dashboard server did not answer within {timeout:.0f} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _values(page, side: str) -> list[str]:
    """The monitor values of one pane, row by row."""
    return page.locator(f"td.v.salesim-{side}").all_inner_texts()


def test_dashboard_in_a_real_browser_offline(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = _chromium()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "server.log"
    env = os.environ | {
        "SOLARA_ASSETS_CDN": DEAD + "/",  # an asset not shipped by solara-assets would be fetched here: fails
        "HTTP_PROXY": DEAD,
        "HTTPS_PROXY": DEAD,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [SALESIM, "dashboard", "misaligned", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            start_new_session=True,
        )
    outside: list[str] = []

    def loopback_only(route) -> None:
        if urlparse(route.request.url).netloc == f"127.0.0.1:{port}":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        _wait_for_server(proc, url, log)
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route("**/*", loopback_only)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.get_by_text("Day 0 of 365").wait_for(timeout=30_000)
            page.locator(".salesim-changes").get_by_text("same levers as the baseline").wait_for()
            before = _values(page, "variant")
            assert before == _values(page, "baseline")  # same levers, same market: the same numbers

            # a lever of the variant: cold -> warm handoffs, then Reset applies it to a fresh pair
            page.locator(".v-select").filter(has_text="Handoff").first.click()
            page.locator(".menuable__content__active .v-list-item").filter(has_text="warm").first.click()
            page.get_by_role("button", name="Reset").click()
            page.locator(".salesim-changes").get_by_text("handoff: cold → warm").wait_for(timeout=10_000)

            timings = []
            for day in range(1, 4):
                start = time.perf_counter()
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Day {day} of 365").wait_for(timeout=10_000)
                timings.append(time.perf_counter() - start)
            page.wait_for_timeout(500)  # let the plots arrive
            after_base, after_variant = _values(page, "baseline"), _values(page, "variant")
            # Apply now: a lever changed on the running variant, from today
            page.locator(".v-select").filter(has_text="Feedback").first.click()
            page.locator(".menuable__content__active .v-list-item").filter(has_text="continuous").first.click()
            page.get_by_role("button", name="Apply now to the variant").click()
            page.locator(".salesim-applied").get_by_text("Applied on day 3").wait_for(timeout=10_000)
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Day 4 of 365").wait_for(timeout=10_000)
            page.locator(".salesim-changes").get_by_text("from day 3").wait_for(timeout=10_000)
            # Apply now during Play: the stepping thread, the drawing and the change never race
            page.locator(".v-select").filter(has_text="Feedback").first.click()
            page.locator(".menuable__content__active .v-list-item").filter(has_text="periodic").first.click()
            page.get_by_role("button", name="▶").click()
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Apply now to the variant").click()
            page.locator(".salesim-applied").get_by_text("Applied on day").wait_for(timeout=10_000)
            page.wait_for_timeout(1000)
            for _ in range(10):  # a click that lands while Play redraws the page is lost: pause until paused
                if page.get_by_role("button", name="▶").count():
                    break
                page.get_by_role("button", name="❚❚").click(timeout=5_000)
                page.wait_for_timeout(1000)
            assert page.get_by_role("button", name="▶").count(), "Play did not pause"
            # run to day N: stepped without drawing, then drawn once
            page.get_by_label("Run to day").fill("60")
            page.get_by_label("Run to day").press("Enter")
            page.wait_for_timeout(500)  # the value reaches the server
            page.locator(".salesim-run-to").click()
            page.get_by_text("Day 60 of 365").wait_for(timeout=60_000)
            page.locator(".salesim-ran").get_by_text("Day 60 reached").wait_for(timeout=10_000)
            slider_label = page.get_by_text("Market (seed, shared): 1").count()
            mesa_controls = [
                t for t in ("Use Threads", "Render Interval", "PAGE 0", "Time: ") if page.get_by_text(t).count()
            ]
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
            images = page.locator("img").count()
            browser.close()
    finally:
        _stop(proc)

    assert after_variant != before, "the monitors did not change after stepping"
    assert after_base != after_variant, "the two organizations show the same numbers after a lever changed"
    assert images >= 3, "the three plots were not drawn"
    assert slider_label == 1, "a slider shows its value without being dragged"
    assert not mesa_controls, f"Mesa's own controls show through: {mesa_controls}"
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert not errors, errors
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]  # no race on the server either
    assert not outside, f"the page tried to leave the machine: {outside}"
    print(f"step + render seen in the browser: {', '.join(f'{t * 1000:.0f} ms' for t in timings)}")
    assert max(timings) < 3.0, timings


def test_apply_now_changes_the_running_variant_from_today_and_only_from_today(tmp_path: Path) -> None:
    """The dashboard's Apply now is a dated change: the days before untouched, the levers and headcount after."""
    model = DashboardModel(start="misaligned", seed=3)
    twin = DashboardModel(start="misaligned", seed=3)
    for _ in range(20):
        model.step()
        twin.step()
    levers = lever_values(load_scenario("misaligned"))
    assert model.apply_now(**levers) == []  # nothing differs: nothing to apply
    words = model.apply_now(**(levers | {"handoff_mode": "warm", "field_reps": levers["field_reps"] + 3}))
    assert words == ["handoff: cold → warm", "field reps (all teams): 20 → 23"]
    assert model.kpis == twin.kpis  # nothing moved before the next day
    for _ in range(40):
        model.step()
        twin.step()
    variant = model.orgs["variant"]
    assert variant.levers.handoff.mode == "warm" and variant.change_log == [(20, ["handoff.mode"])]
    assert sum(not r.closed for r in variant.field_reps) == 23
    assert model.kpis["baseline"] == twin.kpis["baseline"]  # the baseline never changes
    assert model.kpis["variant"] != twin.kpis["variant"]
    assert model.marks == [20] and "from day 20" in model.changes[-1]
    text = model.variant_yaml()  # the variant as it runs: what it extends, the keys it changes, its timeline
    saved = yaml.safe_load(text)
    assert saved["extends"] == "misaligned" and set(saved) == {"name", "description", "extends", "timeline"}
    assert "null" not in text and len(text.splitlines()) < 30, text
    assert [c["day"] for c in saved["timeline"]] == [20, 20, 20]
    path = tmp_path / "variant.yaml"
    path.write_text(text)
    assert load_scenario(str(path)).handoff.mode == "cold"  # warm from day 20, by its timeline
    days = pd.read_csv(io.StringIO(model.days_csv()))
    assert len(days) == 61 and {
        "baseline (misaligned): revenue (dollars)",
        "variant (misaligned): revenue (dollars)",
    } <= set(days.columns)
    assert (days["market seed"] == 3).all() and (days["baseline scenario"] == "misaligned").all()
    assert "variant<br><b>misaligned</b><br><small>changed on day 20</small>" in _monitors_html(model)
    with pytest.raises(ScenarioError, match="score_first needs a lead score"):
        model.apply_now(**(levers | {"work_order": "score_first"}))


def test_an_impossible_lever_combination_is_said_and_the_variant_runs_unchanged() -> None:
    model = DashboardModel(start="misaligned", work_order="score_first")  # score first needs a lead score
    assert "score_first needs a lead score" in model.problem
    assert model.variant_scenario == model.baseline_scenario
    assert "were not applied" in _monitors_html(model)
    scored = DashboardModel(start="misaligned", work_order="score_first", scoring="rules")
    assert not scored.problem and scored.variant_scenario.inside.work_order == "score_first"


def test_several_markets_give_means_bands_and_an_interval_for_each_difference() -> None:
    """A live demo should not contradict the report: the difference over a few paired markets, with its interval."""
    one = DashboardModel(start="misaligned", variant="aligned", seed=4)
    three = DashboardModel(start="misaligned", variant="aligned", seed=4, markets=3)
    for _ in range(60):
        one.step()
        three.step()
    assert three.orgs["baseline"].seed == 4 and [o.seed for o in three.runs["variant"]] == [4, 5, 6]
    assert three.runs["variant"][0].revenue == one.orgs["variant"].revenue  # market 0 is the single market
    mean, low, high = three.gap["revenue"]
    per_market = [v.revenue - b.revenue for b, v in zip(three.runs["baseline"], three.runs["variant"], strict=True)]
    assert mean == pytest.approx(sum(per_market) / 3) and low < mean < high
    lo, hi = three.spread["variant"]["revenue"]
    assert lo == min(o.revenue for o in three.runs["variant"]) and hi == max(o.revenue for o in three.runs["variant"])
    assert "mean of 3 markets" in _monitors_html(three) and "class='ci'" in _monitors_html(three)
    assert {"variant revenue low", "variant revenue high"} <= set(three.datacollector.get_model_vars_dataframe())
    three.apply_now(**(lever_values(load_scenario("aligned")) | {"sla_hours": 2}))
    three.step()
    assert all(o.levers.handoff.sla_hours == 2 for o in three.runs["variant"])
    with pytest.raises(ValueError, match="markets: between 1 and 8"):
        DashboardModel(start="misaligned", markets=9)
