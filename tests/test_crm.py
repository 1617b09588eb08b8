"""CRM exports: a run exported and imported gives its own funnel; bad exports fail with one line per problem.

Everything that a user does goes through the command line (in this process: tests/console.py), as in test_cli.py.
"""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.crm.observed import business_hours_between, funnel, observed_from_run
from sim.crm.presets import BusinessHours, CrmError
from sim.crm.reader import CANONICAL, read_export
from sim.crm.values import parse_times
from tests.console import salesim_in_process

DAYS = 90
ROUND_TRIP = ("leads_created", "deals_won", "revenue", "win_rate", "median_response_hours", "leads_qualified",
              "leads_handed_off", "opportunities", "leads_rejected", "leads_ignored")  # fmt: skip


def salesim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return salesim_in_process(*args, cwd=cwd)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """One short run shared by every test."""
    folder = tmp_path_factory.mktemp("crm")
    res = salesim("run", "aligned", "--seed", "3", "--days", str(DAYS), "--set", "simulation.warmup_days=56",
                  "--out", "run", cwd=folder)  # fmt: skip
    assert res.returncode == 0, res.stderr
    return folder / "run"


@pytest.fixture(scope="module")
def salesforce(run_dir: Path) -> Path:
    res = salesim("export-crm", str(run_dir), "--out", "sf", cwd=run_dir.parent)
    assert res.returncode == 0, res.stderr
    return run_dir.parent / "sf"


def _close(a: float | None, b: float | None, name: str) -> None:
    if name == "median_response_hours":  # stamps are written to the second
        assert a == pytest.approx(b, abs=1e-3), name
    elif name == "revenue":  # amounts are written to the cent
        assert a == pytest.approx(b, rel=1e-6), name
    else:
        assert a == pytest.approx(b, rel=1e-9, abs=0.01), name


def _kpis(folder: Path) -> dict:
    return json.loads((folder / "observed.json").read_text())["kpis"]


@pytest.mark.parametrize(
    ("fmt", "out", "tz"),
    [("salesforce", "sf2", "UTC"), ("hubspot", "hs", "America/New_York"), ("salesforce", "book.xlsx", "Europe/Berlin")],
)
def test_a_run_exported_then_imported_gives_its_own_funnel(run_dir: Path, fmt: str, out: str, tz: str):
    cwd = run_dir.parent
    res = salesim("export-crm", str(run_dir), "--format", fmt, "--out", out, "--timezone", tz, cwd=cwd)
    assert res.returncode == 0, res.stderr
    imp = salesim("import-crm", out, "--out", f"imported-{out}", cwd=cwd)
    assert imp.returncode == 0, imp.stderr
    assert imp.stderr == ""  # a clean export has no problems
    summary = json.loads((run_dir / "summary.json").read_text())
    observed = _kpis(cwd / f"imported-{out}")
    for name in ROUND_TRIP:
        _close(observed[name], summary[name], name)
    assert (cwd / f"imported-{out}" / "observed.png").stat().st_size > 10_000


def test_the_fit_reads_a_run_without_files(run_dir: Path):
    leads = pd.read_parquet(run_dir / "leads.parquet")
    summary = json.loads((run_dir / "summary.json").read_text())
    observed = observed_from_run(leads, DAYS)
    for name in ROUND_TRIP:
        assert observed["kpis"][name] == pytest.approx(summary[name], rel=1e-9, nan_ok=True), name
    json.dumps(observed, allow_nan=False)  # JSON-safe: no NaN, no numpy types
    assert set(observed) >= {"period", "kpis", "volume", "response", "by_delay", "stages", "cycle_days", "deal_size"}


def _edit(src: Path, dst: Path, table: str, change) -> Path:
    """A copy of an export folder with one table's rows changed by ``change(header, rows)``."""
    dst.mkdir()
    for f in src.iterdir():
        if f.suffix == ".csv" and f.stem != table:
            dst.joinpath(f.name).write_bytes(f.read_bytes())
    with src.joinpath(f"{table}.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = change(rows[0], [list(r) for r in rows[1:]])
    with dst.joinpath(f"{table}.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return dst


def _drop_column(name):
    return lambda h, rows: (
        [c for c in h if c != name],
        [[v for c, v in zip(h, r, strict=True) if c != name] for r in rows],
    )


def _set(column, value, first, last):
    def change(h, rows):
        for r in rows[first:last]:
            r[h.index(column)] = value
        return h, rows

    return change


BAD = {  # name -> (table, change, exit code, lines that must appear on stderr)
    "missing column": ("Lead", _drop_column("CreatedDate"), 2, ["Lead.csv: column 'CreatedDate': missing"]),
    "two missing columns": (
        "Lead",
        lambda h, r: _drop_column("Id")(*_drop_column("CreatedDate")(h, r)),
        2,
        ["column 'CreatedDate': missing", "column 'Id': missing"],
    ),
    "no readable date": ("Lead", _set("CreatedDate", "yesterday-ish", 0, None), 2, ["column 'CreatedDate': no row"]),
    "header only": ("Lead", lambda h, r: (h, []), 2, ["Lead.csv: no rows"]),
    "some unreadable dates": ("Lead", _set("CreatedDate", "31/31/2029", 0, 7), 0, ["'CreatedDate': 7 rows: dates"]),
    "duplicate ids": ("Lead", lambda h, r: (h, r + r[:5]), 0, ["column 'Id': 5 rows: duplicate lead ids"]),
    "closed before created": (
        "Opportunity",
        _set("CloseDate", "2000-01-01", 0, 4),
        0,
        ["Opportunity.csv: column 'CloseDate': 4 rows: closed before it was created"],
    ),
    "amounts not numbers": ("Opportunity", _set("Amount", "lots", 0, 3), 0, ["'Amount': 3 rows: amounts"]),
}


def test_bad_exports_are_reported_by_file_column_and_row_count(salesforce: Path, tmp_path: Path):
    """Every case through the real command line, a few at a time (each start costs about a second)."""
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "typo.yaml").write_text("preset: salesforce\nleads:\n  colums: {lead_id: Id}\n")
    (tmp_path / "field.yaml").write_text("preset: salesforce\nleads:\n  columns: {lead_ident: Id}\n")
    (tmp_path / "plain.csv").write_text("a,b\n1,2\n")
    mapping = str(salesforce / "map.yaml")
    cases = {  # name -> (arguments, exit code, lines that must appear on stderr)
        "empty file": (["empty.csv"], 2, ["empty.csv: the file is empty"]),
        "mapping file key": ([str(salesforce), "--map", "typo.yaml"], 2, ["typo.yaml: leads.colums: unknown key"]),
        "mapping file field": ([str(salesforce), "--map", "field.yaml"], 2, ["unknown field(s) lead_ident"]),
        "time zone": ([str(salesforce), "--timezone", "Mars/Base"], 2, ["timezone 'Mars/Base'"]),
        "unknown columns": (["plain.csv"], 2, ["columns of no known preset"]),
    }
    for name, (table, change, code, lines) in BAD.items():
        folder = _edit(salesforce, tmp_path / name.replace(" ", "_"), table, change)
        cases[name] = ([str(folder), "--map", mapping], code, lines)

    def run(name: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        args, _, _ = cases[name]
        return name, salesim("import-crm", *args, "--out", f"out-{name.replace(' ', '_')}", cwd=tmp_path)

    results = dict(map(run, cases))
    for name, res in results.items():
        _, code, lines = cases[name]
        assert res.returncode == code, f"{name}: {res.stderr}"
        assert "Traceback" not in res.stderr, name
        for line in lines:
            assert line in res.stderr, f"{name}: {res.stderr}"
        if code == 0:
            observed = json.loads((tmp_path / f"out-{name.replace(' ', '_')}" / "observed.json").read_text())
            assert observed["problems"] and all(p["rows"] > 0 and p["column"] for p in observed["problems"]), name
        else:
            assert res.stderr.startswith("salesim: error:") and not res.stdout, name


def test_export_crm_refuses_what_is_not_a_run(tmp_path: Path):
    res = salesim("export-crm", str(tmp_path), cwd=tmp_path)
    assert res.returncode == 2 and "not a run folder" in res.stderr
    res = salesim("export-crm", str(tmp_path), "--start", "2029-01-03", cwd=tmp_path)
    assert res.returncode == 2


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keep=st.lists(st.booleans(), min_size=60, max_size=60),
    keep_opps=st.lists(st.booleans(), min_size=30, max_size=30),
    cut=st.integers(0, 13),
    cut_opp=st.integers(0, 10),
)
def test_any_rows_or_columns_dropped_never_crash_the_reader(
    salesforce: Path, keep: list[bool], keep_opps: list[bool], cut: int, cut_opp: int
):
    leads = pd.read_csv(salesforce / "Lead.csv", dtype=str, keep_default_na=False).head(60)
    opps = pd.read_csv(salesforce / "Opportunity.csv", dtype=str, keep_default_na=False).head(30)
    leads = leads[keep].drop(columns=leads.columns[cut : cut + 1])
    opps = opps[keep_opps].drop(columns=opps.columns[cut_opp : cut_opp + 1])
    with tempfile.TemporaryDirectory() as tmp:
        leads.to_csv(Path(tmp) / "Lead.csv", index=False)
        opps.to_csv(Path(tmp) / "Opportunity.csv", index=False)
        try:
            export = read_export(tmp)
        except CrmError as exc:
            assert str(exc)
            return
        assert list(export.leads.columns) == list(CANONICAL)
        funnel(export.leads)


def test_timestamps_keep_their_offset_and_naive_ones_are_local():
    read = parse_times(pd.Series(["2029-01-01T14:00:00.000Z", "2029-01-01 09:00", "", "soon"]), "America/New_York")
    assert [t.hour if not pd.isna(t) else None for t in read.times] == [9, 9, None, None]
    assert (read.reasons != "").tolist() == [False, False, False, True]
    # the hour a clock repeats (autumn) and the hour it skips (spring) are read, not refused
    read = parse_times(pd.Series(["2029-11-04 01:30", "2029-03-11 02:30"]), "America/New_York")
    assert not (read.reasons != "").any() and read.times.notna().all()


def test_business_hours_skip_nights_weekends_and_holidays():
    tz = "Europe/Berlin"
    start = pd.Series(pd.to_datetime(["2029-01-05 16:00", "2029-01-01 10:00"])).dt.tz_localize(tz)  # Fri; a holiday
    end = pd.Series(pd.to_datetime(["2029-01-08 10:00", "2029-01-02 10:00"])).dt.tz_localize(tz)
    hours = business_hours_between(start, end, BusinessHours(holidays=("2029-01-01",)))
    assert hours.tolist() == pytest.approx([2.0, 1.0])


FLAT = """lead,created,src,first_call,qualified,deal_created,stage,closed,amount
1,03/04/2029 09:00,Web,03/04/2029 09:30,03/04/2029 10:00,05/04/2029 10:00,Signed,20/05/2029,"1,000"
2,04/04/2029 22:00,Web,05/04/2029 10:00,,,,,
3,05/04/2029 11:00,SDR,,,,,,
4,06/04/2029 11:00,Web,06/04/2029 12:00,06/04/2029 13:00,07/04/2029 10:00,Dead,10/05/2029,5000
"""
FLAT_MAP = """timezone: Europe/London
dayfirst: true
leads:
  columns: {lead_id: lead, created_at: created, source: src, first_touch_at: first_call, qualified_at: qualified,
            opp_created_at: deal_created, stage: stage, closed_at: closed, amount: amount}
sources: {Web: inbound, SDR: outbound}
won_stages: [Signed]
lost_stages: [Dead]
"""


def test_any_other_export_reads_through_a_mapping_file(tmp_path: Path):
    (tmp_path / "leads.csv").write_text(FLAT)
    (tmp_path / "leads.map.yaml").write_text(FLAT_MAP)  # found beside the file
    export = read_export(tmp_path / "leads.csv")
    observed = funnel(export.leads, business_hours=export.crm_map.business_hours, fields=export.fields)
    k = observed["kpis"]
    assert (k["leads_created"], k["deals_won"], k["deals_lost"], k["revenue"]) == (4, 1, 1, 1000.0)
    assert k["median_response_hours"] == pytest.approx(1.0)  # 0.5, 12 (overnight), 1: inbound only
    assert k["median_response_business_hours"] == pytest.approx(1.0)  # Wed 22:00 -> Thu 10:00 is 1 business hour
    assert k["leads_contacted"] is None and observed["stages"][3]["share_of_previous"] == pytest.approx(2 / 3)
    assert export.leads["created_at"].iloc[0].day == 3  # day first: 3 April


def test_a_broken_workbook_and_a_file_over_the_limit_are_refused(tmp_path: Path, monkeypatch):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(CrmError, match=r"broken\.xlsx: not a readable xlsx workbook"):
        read_export(tmp_path / "broken.xlsx")
    (tmp_path / "leads.csv").write_text(FLAT)
    monkeypatch.setattr("sim.crm.files.MAX_BYTES", 100)
    with pytest.raises(CrmError, match=r"leads\.csv: .* MB is over the"):
        read_export(tmp_path / "leads.csv")
