"""`salesim report BASE TARGET`: the answer first, then what to do first, then the evidence."""

import html
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import load_scenario
from sim.experiments.compare import Explanation, compare
from sim.experiments.uncertainty import uncertainty
from sim.present.format import format_change
from sim.present.report import answer, first_steps, render
from tests.test_dashboard import CHROMIUM_ARGS, _chromium

SHORT = ["simulation.warmup_days=28", "simulation.days=60"]


@pytest.fixture(scope="module")
def pair():
    mis, ali = load_scenario("misaligned", SHORT), load_scenario("aligned", SHORT)
    return compare([mis, ali], n=4, workers=1, explain=(mis, ali))


def test_the_headline_names_its_measure_and_puts_operating_profit_beside_it(pair):
    page = render(pair, {}, "salesim report misaligned aligned")
    first = html.unescape(re.search(r'<p class="answer">(.*?)</p>', page, re.S).group(1))
    reps = pair.replications.set_index(["scenario", "replication"])
    gain = {k: (reps.loc["aligned", k] - reps.loc["misaligned", k]).mean() for k in ("profit", "operating_profit")}
    c, o = format_change("profit", gain["profit"]), format_change("profit", gain["operating_profit"])
    assert first.startswith("Changing Misaligned into Aligned ")
    assert (
        f"adds {c} over 60 days to the sales contribution (95% interval" in first
        if gain["profit"] >= 0
        else f"changes the sales contribution by {c} over 60 days (95% interval" in first
    )
    assert f"{o} to operating profit" in first if gain["operating_profit"] >= 0 else f"operating profit by {o}" in first
    lines = answer(pair)
    why = next(line for line in lines if line.startswith("The sales contribution is"))
    assert "operating profit is the P&L's bottom line" in why
    losses = [reps.loc[s, "operating_profit"].mean() < 0 for s in ("misaligned", "aligned")]
    assert ("Both organizations show an operating loss" in why) == all(losses)
    # the answer comes before the evidence; no command-line text in the client's answer
    assert page.index("The answer") < page.index("What to do first") < page.index("The evidence")
    assert "--uncertainty" not in " ".join(lines)


def test_with_an_uncertainty_study_the_headline_leads_with_the_median_and_p10_to_p90(pair):
    study = uncertainty(pair.scenarios, sets=3, n=1, seed=2, workers=1)
    lines = answer(pair, study)
    r = study.table.set_index(["scenario", "kpi"]).loc[("aligned", "profit")]
    assert f"a median {format_change('profit', r['median'])}" in lines[0].split("(")[0]  # the median leads
    assert f"{format_change('profit', r['p10'])} to {format_change('profit', r['p90'])}" in lines[0]
    assert lines[1].startswith("At the default assumptions")  # the defaults' figure follows
    assert "Given what we do not know" in render(pair, {}, "cmd", study)


def _planted(effects: dict[str, list[float]]) -> Explanation:
    """An explanation with these per-replication profit effects (the grouping's arithmetic alone)."""
    mis = load_scenario("misaligned")
    rows, reps = [], []
    for lever, values in effects.items():
        v = np.array(values)
        rows.append((lever, "a", "b", "profit", v.mean(), v.mean() - 1, v.mean() + 1))
        reps += [(lever, "profit", i, x) for i, x in enumerate(values)]
    total = np.sum([v for v in effects.values()], axis=0) + 5.0
    for lever, v in (("all levers together", total), ("interaction", np.full_like(total, 5.0))):
        rows.append((lever, "", "", "profit", v.mean(), v.mean() - 1, v.mean() + 1))
        reps += [(lever, "profit", i, x) for i, x in enumerate(v)]
    table = pd.DataFrame(rows, columns=["lever", "base_value", "target_value", "kpi", "effect", "ci_low", "ci_high"])
    frame = pd.DataFrame(reps, columns=["lever", "kpi", "replication", "effect"])
    levers = [(k, "a", "b") for k in effects]
    return Explanation(mis, mis, levers, table, frame)


def test_levers_that_cannot_be_told_apart_share_a_rank():
    noise = [0.0, 3.0, -2.0, 1.0, -1.0, 2.0]
    steps = first_steps(
        _planted(
            {
                "handoff.mode": [100 + e for e in noise],
                "handoff.sla_hours": [99 + e for e in reversed(noise)],  # within noise of the first
                "feedback.mode": [40 + e for e in noise],  # clearly less
                "nurture.mode": [-30 + e for e in noise],
            }
        )
    )
    ranks = [(row["rank"], row["tied"]) for row in steps["rows"]]
    assert ranks == [(1, True), (1, True), (2, False), (3, False)]
    assert "appears only when they are combined" in steps["interaction"]


@pytest.mark.slow  # a full report rendered and printed in Chromium (about 25 s); its HTML is checked in-process above
def test_the_report_command_leads_with_the_answer_renders_in_chromium_and_prints_a_pdf(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "report"
    cmd = [sys.executable, "-m", "sim.cli", "report", "misaligned", "aligned", "-n", "2", "--days", "30"]
    cmd += ["--workers", "1", "--out", str(out), "--pdf"]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=600, env=os.environ | {"SALESIM_CHROMIUM": _chromium()}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Changing Misaligned into Aligned ")
    for name in ("report.html", "report.pdf", "comparison.csv", "explain.csv", "manifest.json", "figures/tornado.png",
                 "figures/slides/answer.png", "figures/slides/levers.png", "figures/slides/funnel.png"):  # fmt: skip
        assert (out / name).is_file(), name
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((out / "report.html").as_uri())
        page.screenshot(path=str(tmp_path / "report.png"))
        headings = page.locator("h2").all_inner_texts()
        answer_text = page.locator("p.answer").inner_text()
        grey = page.locator("span.ci").first.evaluate("e => getComputedStyle(e).color")
        browser.close()
    assert headings[:2] == ["The answer", "What to do first"] and "Organization and assumptions" in headings
    assert headings[-1].startswith("Appendix")
    assert answer_text.startswith("Changing Misaligned into Aligned")
    assert grey == "rgb(119, 119, 119)"  # interval text is grey, as the legend says
    assert (tmp_path / "report.png").stat().st_size > 10_000
    # the PDF: A4 pages, a page per section (no more sections than pages), the headings as its outline
    pdf = (out / "report.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert len(headings) <= pages <= 30, pages
    boxes = {tuple(round(float(x)) for x in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
    for heading in ("The answer", "What to do first", "Organization and assumptions"):
        assert f"({heading})".encode() in pdf, heading


def test_report_pdf_without_a_browser_is_one_line_before_any_work(tmp_path, monkeypatch):
    from tests.console import salesim_in_process

    monkeypatch.setenv("SALESIM_CHROMIUM", str(tmp_path / "no-chromium"))
    done = salesim_in_process("report", "misaligned", "aligned", "-n", "2", "--pdf", "--out", "r", cwd=tmp_path)
    assert done.returncode == 2 and "SALESIM_CHROMIUM" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "r").exists()  # refused before the folder is claimed or any run


def test_the_workbook_holds_the_numbers_of_the_csvs_formatted_for_a_cfo(pair, tmp_path):
    from openpyxl import load_workbook

    from sim.present.report import write_comparison

    write_comparison(pair, tmp_path, "salesim report misaligned aligned")
    book = pd.read_excel(tmp_path / "comparison.xlsx", sheet_name=None)
    assert list(book)[:3] == ["answer", "side by side", "P&L"] and list(book)[-1] == "notes"
    assert {"comparison", "kpis per replication", "inputs", "levers one at a time", "seeds"} <= set(book)
    csv = pd.read_csv(tmp_path / "comparison.csv")
    numbers = ["mean", "ci_low", "ci_high", "delta", "delta_ci_low", "delta_ci_high"]
    assert (book["comparison"]["kpi"] == csv["kpi"]).all()
    np.testing.assert_allclose(book["comparison"][numbers].to_numpy(float), csv[numbers].to_numpy(float), rtol=1e-12)
    reps = pd.read_csv(tmp_path / "replications.csv")
    np.testing.assert_allclose(book["kpis per replication"]["revenue ($)"], reps["revenue"], rtol=1e-12)
    # side by side and the P&L: the CSV's means and paired changes, a row per KPI in words
    means = csv.set_index(["scenario", "kpi"])
    side = book["side by side"].set_index("KPI")
    assert side.loc["revenue", "Aligned"] == pytest.approx(means.loc[("aligned", "revenue"), "mean"], rel=1e-12)
    assert side.loc["sales contribution", "Aligned: change"] == pytest.approx(
        means.loc[("aligned", "profit"), "delta"], rel=1e-12
    )
    pnl = book["P&L"].set_index("line")
    assert pnl.loc["operating profit", "Misaligned"] == pytest.approx(
        means.loc[("misaligned", "operating_profit"), "mean"], rel=1e-12
    )
    answer_sheet = book["answer"].dropna(subset=["basis"]).set_index("measure")
    assert answer_sheet.loc["operating profit", "change"] == pytest.approx(
        means.loc[("aligned", "operating_profit"), "delta"], rel=1e-9
    )
    # inputs as numbers, not text; settings in words
    inputs = book["inputs"].set_index("key")
    assert inputs.loc["handoff.mode", "Misaligned"] == "cold" and inputs.loc["handoff.mode", "Aligned"] == "warm"
    assert inputs.loc["handoff.sla_hours", "Misaligned"] == 48
    assert inputs.loc["organization.inside_reps", "Aligned"] == 8
    assert inputs.loc["organization.field_teams", "Aligned"] == "east (10 reps), west (10 reps)"
    # formats, bold frozen headers, filters, widths; a note for every column of every sheet
    wb = load_workbook(tmp_path / "comparison.xlsx")
    ws = wb["side by side"]
    assert ws["A1"].font.b and ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    assert ws["C2"].number_format.startswith('"$"')  # revenue in dollars
    win = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "win rate")
    assert ws.cell(win, 3).number_format == "0.0%"
    assert ws.column_dimensions["A"].width >= len("sales contribution")
    notes = book["notes"]
    for sheet in ("answer", "side by side", "comparison"):
        said = notes[notes["sheet"] == sheet]
        assert said["meaning"].notna().all() and len(said) == len(book[sheet].columns), sheet


def test_the_figures_agree_with_the_kpi_table(pair):
    """The funnel's right panel totals the table's deals won; the satisfaction histogram's share at
    40 or less is the table's share dissatisfied (a prospect at exactly 40 is left of the line)."""
    from sim.experiments.runs import SATISFACTION_BINS
    from sim.measure.kpis import DISSATISFIED_AT

    table = pair.table.set_index(["scenario", "kpi"])
    for name in pair.names:
        assert pair.won_by_source[name].sum() == pytest.approx(table.loc[(name, "deals_won"), "mean"])
        counts = pair.satisfaction[name]
        low = counts[SATISFACTION_BINS[1:] <= DISSATISFIED_AT].sum() / counts.sum()
        reps = pair.replications[pair.replications["scenario"] == name]
        # pooled over replications rather than averaged: close, not equal
        assert low == pytest.approx(reps["share_dissatisfied"].mean(), abs=0.01)


def test_ties_say_what_would_separate_them_and_levers_with_no_effect_alone_stand_apart():
    noise = [0.0, 3.0, -2.0, 1.0, -1.0, 2.0]
    steps = first_steps(
        _planted(
            {
                "handoff.mode": [100 + e for e in noise],
                "handoff.sla_hours": [99 + e for e in reversed(noise)],
                "qualification.scoring": [0.0] * 6,  # changes nothing alone
                "nurture.mode": [-900 + e for e in noise],
            }
        )
    )
    levers = [row["lever"] for row in steps["rows"]]
    assert "Lead scoring" not in levers and [r["lever"] for r in steps["idle"]] == ["Lead scoring"]
    tied = steps["rows"][1]
    assert tied["tied"] and re.search(r"about [\d,]+ markets \(replications\) would tell them apart", tied["separate"])
    # one unit per column: -$900 and +$100 both in $k, the heading saying so
    assert steps["kpis"][1] == "Sales contribution ($k)"
    cells = [row["cells"][1] for row in steps["rows"]]
    assert all(cell.count("k") == 3 for cell in cells), cells  # the effect and both ends of its interval
    assert "is not a lever" in steps["interaction"]


def test_the_client_report_describes_the_organization_and_keeps_code_names_in_the_appendix(pair):
    page = render(pair, {}, "salesim report misaligned aligned -n 4 --seed 1")
    body, appendix = page.split("Appendix: reproducing the results", 1)
    assert "Organization and assumptions" in body and "Not modelled" in body
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    for leak in ("--uncertainty", "salesim report", "handoff.sla_hours", "docs/MODEL.md", "misaligned into"):
        assert leak not in text, leak
    assert "Inside sales reps (SDRs)" in text and "after a warm-up of 28 days" in text
    assert "salesim report misaligned aligned -n 4 --seed 1" in html.unescape(appendix)
    assert "<code>handoff.sla_hours</code>" in appendix
    assert body.count("<th>rank</th>") == 1  # the levers' table once
