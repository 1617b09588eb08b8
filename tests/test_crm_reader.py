"""The CRM reader on exports as real companies write them (issue 32): dates, amounts, associations, maps, periods.

Each case goes through the command line a user types (in this process: tests/console.py) where the user
would see it, and through :func:`sim.crm.reader.read_export` where the numbers are the point.
"""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.crm.mapfile import load_map
from sim.crm.observed import export_funnel
from sim.crm.presets import CrmError
from sim.crm.reader import read_export
from sim.crm.values import DateOrderError, parse_amounts, parse_times
from tests.console import salesim_in_process

ROOT = Path(__file__).resolve().parents[1]


def salesim(*args: str, cwd: Path):
    return salesim_in_process(*args, cwd=cwd)


def _export(folder: Path, rows: list[dict], mapping: str, name: str = "leads") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
    (folder / f"{name}.map.yaml").write_text(mapping)
    return folder / f"{name}.csv"


FLAT_MAP = """leads:
  columns: {{lead_id: id, created_at: {created}, stage: stage, closed_at: closed, amount: amount}}
won_stages: [Won]
lost_stages: [Lost]
{extra}
"""


def _flat(created: list[str], closed: list[str] | None = None, amounts: list[str] | None = None) -> list[dict]:
    n = len(created)
    closed = closed or [""] * n
    amounts = amounts or [""] * n
    return [
        {"id": i + 1, "created": c, "stage": "Won" if d else "", "closed": d, "amount": a}
        for i, (c, d, a) in enumerate(zip(created, closed, amounts, strict=True))
    ]


def _one_line_refusal(res) -> str:
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    lines = [line for line in res.stderr.splitlines() if line.startswith("salesim: error:")]
    assert len(lines) == 1, res.stderr
    return lines[0]


# -- dates -------------------------------------------------------------------------------------------------------------


def test_a_day_first_date_with_dashes_is_a_date_not_a_utc_offset():
    for text in ("14-06-2017", "06-14-2017"):
        read = parse_times(pd.Series([text]), "UTC")
        stamp = read.times.iloc[0]
        assert (stamp.year, stamp.month, stamp.day) == (2017, 6, 14), text  # not 21:00 the day before
        assert read.date_only and stamp.weekday() == 2  # a Wednesday, as the calendar says


def test_a_column_of_midnights_is_a_column_of_dates():
    read = parse_times(pd.Series(["2017-06-14 00:00:00", "2017-06-15 00:00:00"]), "America/Sao_Paulo")
    assert read.date_only and [t.hour for t in read.times] == [12, 12]  # as an xlsx's date cells come out
    read = parse_times(pd.Series(["2017-06-14 00:00:00", "2017-06-15 09:30:00"]), "UTC")
    assert not read.date_only and read.times.iloc[0].hour == 0


def test_one_column_never_mixes_day_and_month_orders():
    read = parse_times(pd.Series(["01/02/2017", "13/02/2017"]), "UTC")  # 13/02 can only be day first
    assert [t.month for t in read.times] == [2, 2] and [t.day for t in read.times] == [1, 13]
    mixed = r"mixes day-first and month-first dates \(rows 2 \('02/13/2017'\), 3 \('13/02/2017'\)\)"
    with pytest.raises(DateOrderError, match=mixed):
        parse_times(pd.Series(["02/13/2017", "13/02/2017"]), "UTC")
    with pytest.raises(DateOrderError, match="cannot be told"):
        parse_times(pd.Series(["01/02/2017", "03/04/2017"]), "UTC")


def test_an_ambiguous_order_is_refused_in_one_line_unless_the_map_declares_a_format(tmp_path: Path):
    rows = _flat(["01/02/2017 10:00", "03/04/2017 11:00", "05/06/2017 09:00"])
    _export(tmp_path / "a", rows, FLAT_MAP.format(created="created", extra=""))
    line = _one_line_refusal(salesim("import-crm", "a/leads.csv", "--out", "o1", cwd=tmp_path))
    assert "leads.csv" in line and "'created'" in line and "rows 2 ('01/02/2017 10:00')" in line
    assert "format" in line and "dayfirst" in line
    declared = "{column: created, format: '%d/%m/%Y %H:%M'}"
    _export(tmp_path / "b", rows, FLAT_MAP.format(created=declared, extra=""))
    res = salesim("import-crm", "b/leads.csv", "--out", "o2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    export = read_export(tmp_path / "b" / "leads.csv")
    assert export.leads["created_at"].iloc[1] == pd.Timestamp("2017-04-03 11:00", tz="UTC")  # 3 April


@pytest.mark.parametrize(
    ("tz", "skipped"),
    [("America/Sao_Paulo", "2017-10-15"), ("America/Santiago", "2017-08-13"), ("Africa/Cairo", "2023-04-28")],
)
def test_a_time_zone_whose_dst_change_skips_midnight_reads(tmp_path: Path, tz: str, skipped: str):
    day = pd.Timestamp(skipped)
    created = [(day + pd.Timedelta(days=d)).strftime("%d-%m-%Y") for d in range(-3, 4)]
    closed = [(day + pd.Timedelta(days=d + 20)).strftime("%d-%m-%Y") for d in range(-3, 4)]
    rows = _flat(created, closed, ["100"] * 7)
    rows.append({"id": 99, "created": f"{day:%d-%m-%Y} 00:30", "stage": "", "closed": "", "amount": ""})
    _export(tmp_path, rows, FLAT_MAP.format(created="created", extra=f"timezone: {tz}\ndayfirst: true"))
    res = salesim("import-crm", "leads.csv", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    export = read_export(tmp_path / "leads.csv")
    assert len(export.leads) == 8
    days = export.leads["created_at"].dt.tz_localize(None).dt.normalize()
    assert pd.Timestamp(skipped) in set(days)  # the skipped midnight's day is that day, not the one before


ODD = {  # value -> read (True) or counted as unreadable (False)
    "now": False,
    "today": False,
    "10:00:00 UTC": False,
    "2017-06-14 10:00 +05": True,
    "2017-06-14 10:00:00 +0500": True,
    "2017-06-14 10:00:00 GMT": True,
    "9999-12-31": False,
    "1700-01-01": False,
    "2260-01-01": False,
}


def test_odd_dates_are_read_or_counted_never_a_crash(tmp_path: Path):
    base = [f"2017-06-{d:02d} 09:00" for d in range(1, 29)]
    rows = _flat([*base, *ODD])
    _export(tmp_path, rows, FLAT_MAP.format(created="created", extra=""))
    res = salesim("import-crm", "leads.csv", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    export = read_export(tmp_path / "leads.csv")
    assert len(export.leads) == len(base) + sum(ODD.values())
    times = export.leads.set_index("lead_id")["created_at"]
    assert times[str(len(base) + 4)] == pd.Timestamp("2017-06-14 05:00", tz="UTC")  # +05 is five hours east
    assert times[str(len(base) + 5)] == times[str(len(base) + 4)]  # +0500 too
    assert times[str(len(base) + 6)] == pd.Timestamp("2017-06-14 10:00", tz="UTC")  # GMT beside +0500
    reasons = {p.problem for p in export.problems}
    assert any("now, today" in r for r in reasons) and any("outside 1970-2100" in r for r in reasons)
    assert any("time alone" in r for r in reasons)
    dropped = sum(n for n in export.dropped().values())
    assert dropped == len(ODD) - sum(ODD.values())
    assert f"{dropped:,} rows dropped" in res.stdout


FORMATS = ("%d-%m-%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M")


@settings(max_examples=60, deadline=None)
@given(
    when=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(second=0 if "%S" not in FORMATS[0] else d.second, microsecond=0)
    ),
    fmt=st.sampled_from(FORMATS),
    declared=st.booleans(),
)
def test_any_date_written_in_a_declared_format_reads_back_the_same(when: datetime, fmt: str, declared: bool):
    when = when.replace(second=when.second if "%S" in fmt else 0)
    text = when.strftime(fmt)
    dayfirst = fmt.startswith("%d")
    read = parse_times(pd.Series([text]), "UTC", dayfirst=None if declared else dayfirst, fmt=fmt if declared else None)
    assert read.times.iloc[0] == pd.Timestamp(when, tz="UTC"), text


# -- amounts -----------------------------------------------------------------------------------------------------------


def test_european_amounts_read_when_declared_refused_when_ambiguous_negatives_counted(tmp_path: Path):
    amounts, _ = parse_amounts(pd.Series(["1.234,56", "€ 99,90", "12.000"]), decimal=",")
    assert amounts.tolist() == [1234.56, 99.9, 12000.0]
    created = [f"2017-06-{d:02d} 09:00" for d in range(1, 5)]
    closed = [f"2017-07-{d:02d}" for d in range(1, 5)]
    rows = _flat(created, closed, ["1.234,56", "2.000,00", "-500,00", "10,5"])
    _export(tmp_path / "eu", rows, FLAT_MAP.format(created="created", extra=""))
    line = _one_line_refusal(salesim("import-crm", "eu/leads.csv", "--out", "o1", cwd=tmp_path))
    assert "'amount'" in line and "decimal" in line and "1.234,56" in line
    _export(tmp_path / "eu2", rows, FLAT_MAP.format(created="created", extra='decimal: ","'))
    res = salesim("import-crm", "eu2/leads.csv", "--out", "o2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "negative amounts (row 4 ('-500,00'))" in res.stderr
    kpis = json.loads((tmp_path / "o2" / "observed.json").read_text())["kpis"]
    assert kpis["revenue"] == pytest.approx(1234.56 + 2000.0 + 10.5)  # the negative one not counted


# -- rows dropped and not measured -------------------------------------------------------------------------------------


def test_every_dropped_row_is_counted_by_reason_and_not_measured_is_null(tmp_path: Path):
    created = [f"2017-06-{d:02d} 09:00" for d in range(1, 21)] + ["", "", "not a date"]
    _export(tmp_path, _flat(created), FLAT_MAP.format(created="created", extra=""))
    res = salesim("import-crm", "leads.csv", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "3 rows dropped" in res.stdout and "0 rows dropped" not in res.stdout
    assert "2  leads.csv: created: no creation date" in res.stdout
    assert "1  leads.csv: created: dates that cannot be read: no date" in res.stdout
    observed = json.loads((tmp_path / "out" / "observed.json").read_text())
    assert sum(observed["rows"]["dropped"].values()) == 3
    k = observed["kpis"]
    for name in ("share_responded_within_1h", "inquiries_never_touched", "median_response_hours", "leads_rejected",
                 "leads_ignored", "leads_disqualified"):  # fmt: skip
        assert k[name] is None, name  # the export has no first-touch and no status column: not 0


# -- associations and closed-deals tables ------------------------------------------------------------------------------

CONTACTS = "Record ID,Create Date,Lead Source\n1,2029-01-02 09:00:00,Inbound\n2,2029-01-03 10:00:00,Inbound\n"
DEALS = (
    "Record ID,Create Date,Deal Stage,Close Date,Amount,Deal owner,Associated Contact IDs\n"
    "11,2029-01-05 09:00:00,Closed Won,2029-02-01 09:00:00,15000,A,1\n"
    "12,2029-01-06 09:00:00,Closed Won,2029-02-02 09:00:00,20000,A,1\n"
    "13,2029-01-07 09:00:00,Closed Won,2029-02-03 09:00:00,30000,B,1\n"
    "14,2029-01-08 09:00:00,Closed Won,2029-02-04 09:00:00,40000,B,2;1\n"
)


def test_every_deal_of_a_hubspot_contact_is_kept(tmp_path: Path):
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "deals.csv").write_text(DEALS)
    export = read_export(tmp_path)
    k = export_funnel(export)["kpis"]
    assert k["revenue"] == 105_000 and k["deals_won"] == 4 and k["opportunities"] == 4
    assert k["leads_created"] == 2  # a lead with several deals is one lead


def test_a_closed_deals_table_without_stage_is_refused_or_read_as_won_when_the_map_says(tmp_path: Path):
    (tmp_path / "mqls.csv").write_text("mql_id,first_contact_date\na,2018-01-02\nb,2018-01-03\nc,2018-01-04\n")
    (tmp_path / "closed.csv").write_text("mql_id,won_date\na,2018-02-01 10:00:00\nc,2018-03-01 11:00:00\n")
    base = (
        "leads: {file: mqls, columns: {lead_id: mql_id, created_at: first_contact_date}}\n"
        "opportunities: {file: closed, columns: {lead_id: mql_id, closed_at: won_date%s}}\n"
    )
    (tmp_path / "silent.yaml").write_text(base % "")
    line = _one_line_refusal(salesim("import-crm", ".", "--map", "silent.yaml", "--out", "o1", cwd=tmp_path))
    assert "closed.csv" in line and "'won_date'" in line and "won: {value: true}" in line
    (tmp_path / "won.yaml").write_text(base % ", won: {value: true}")
    res = salesim("import-crm", ".", "--map", "won.yaml", "--out", "o2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    k = json.loads((tmp_path / "o2" / "observed.json").read_text())["kpis"]
    assert (k["deals_won"], k["deals_lost"], k["win_rate"]) == (2, 0, 1.0)


# -- mapping files -----------------------------------------------------------------------------------------------------


def test_maps_are_yaml_1_2_with_duplicate_keys_refused(tmp_path: Path):
    (tmp_path / "twice.yaml").write_text("timezone: UTC\ntimezone: Europe/Berlin\n")
    with pytest.raises(CrmError, match=r"twice\.yaml: YAML syntax error at line 2, column 1: key 'timezone' appears"):
        load_map(tmp_path / "twice.yaml")
    (tmp_path / "yes.yaml").write_text("sources: {yes: inbound, no: outbound}\nperiod: {start: 2029-01-01}\n")
    loaded = load_map(tmp_path / "yes.yaml")
    assert loaded.sources == {"yes": "inbound", "no": "outbound"} and loaded.period.start == "2029-01-01"
    (tmp_path / "number.yaml").write_text("period: {start: 20290101}\n")
    with pytest.raises(CrmError, match=r"period\.start: .*write it in quotes"):
        load_map(tmp_path / "number.yaml")
    (tmp_path / "big.yaml").write_text("# " + "x" * 300_000 + "\n")
    with pytest.raises(CrmError, match="at most"):
        load_map(tmp_path / "big.yaml")


def test_every_map_in_docs_crm_md_loads(tmp_path: Path):
    text = (ROOT / "docs" / "CRM.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    for i, block in enumerate(blocks):
        (tmp_path / f"doc{i}.yaml").write_text(block)
        load_map(tmp_path / f"doc{i}.yaml")


def test_tables_join_by_key_and_constants_fill_a_field(tmp_path: Path):
    (tmp_path / "pipeline.csv").write_text(
        "opportunity_id,sales_agent,deal_stage,engage_date,close_date,close_value\n"
        "A1,Ann,Won,2017-01-02,2017-02-01,100\nA2,Bob,Lost,2017-01-03,2017-02-02,0\n"
        "A3,Cat,Engaging,2017-01-04,,\n"
    )
    (tmp_path / "teams.csv").write_text("sales_agent,manager,regional_office\nAnn,M1,West\nBob,M2,East\n")
    (tmp_path / "map.yaml").write_text(
        "leads:\n  file: pipeline\n  columns:\n    lead_id: opportunity_id\n    opportunity_id: opportunity_id\n"
        "    created_at: engage_date\n    opp_created_at: engage_date\n    stage: deal_stage\n"
        "    closed_at: close_date\n    amount: close_value\n    opp_owner: sales_agent\n"
        "    team: {column: regional_office, table: teams, key: sales_agent, by: opp_owner}\n"
        "    source: {value: Field}\n"
        "sources: {Field: field}\nwon_stages: [Won]\nlost_stages: [Lost]\n"
    )
    export = read_export(tmp_path)
    table = export.leads.set_index("lead_id")
    assert (table.loc["A1", "team"], table.loc["A2", "team"]) == ("West", "East") and pd.isna(table.loc["A3", "team"])
    assert set(table["kind"]) == {"field"}
    assert any("no row for opp_owner" in p.problem and p.rows == 1 for p in export.problems)  # Cat has no team
    assert export.date_only == {"created_at", "opp_created_at", "closed_at"}


# -- the period --------------------------------------------------------------------------------------------------------


def _weekly(weeks: list[int], start: str = "2029-01-01") -> list[str]:
    out = []
    for w, n in enumerate(weeks):
        for i in range(n):
            out.append((pd.Timestamp(start) + pd.Timedelta(days=7 * w + i % 5, hours=9 + i % 8)).isoformat())
    return out


def test_the_default_period_is_where_arrivals_are_complete_printed_and_settable(tmp_path: Path):
    weeks = [2, 40, 42, 38, 41, 39, 40, 43, 3]  # a migrated trickle first, a partial week last
    _export(tmp_path, _flat(_weekly(weeks)), FLAT_MAP.format(created="created", extra=""))
    res = salesim("import-crm", "leads.csv", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "period: 2029-01-08 00:00 to 2029-02-26 00:00 (detected" in res.stdout
    k = json.loads((tmp_path / "out" / "observed.json").read_text())["kpis"]
    assert k["leads_created"] == sum(weeks[1:-1]) and k["leads_in_flight"] == 2
    assert k["leads_per_day"] == pytest.approx(sum(weeks[1:-1]) / 49)
    res = salesim("import-crm", "leads.csv", "--start", "2029-01-15", "--end", "2029-01-22", "--out", "o2",
                  cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0 and "(set)" in res.stdout
    line = _one_line_refusal(salesim("import-crm", "leads.csv", "--start", "2029-02-01", "--end", "2029-01-01",
                                     "--out", "o3", cwd=tmp_path))  # fmt: skip
    assert "not before end" in line


def test_inverted_business_hours_and_a_reversed_period_are_refused(tmp_path: Path):
    for bad, says in (("business_hours: {opens: '17:00', closes: '09:00'}", "not before closes"),
                      ("period: {start: 2029-03-01, end: 2029-01-01}", "not before end")):  # fmt: skip
        (tmp_path / "m.yaml").write_text(bad + "\n")
        with pytest.raises(CrmError, match=says):
            load_map(tmp_path / "m.yaml")


# -- robustness --------------------------------------------------------------------------------------------------------


def test_import_and_export_refuse_a_folder_of_the_users_own_files(tmp_path: Path):
    _export(tmp_path / "x", _flat(_weekly([5, 5, 5, 5, 5])), FLAT_MAP.format(created="created", extra=""))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "observed.json").write_text("my own notes")
    line = _one_line_refusal(salesim("import-crm", "x/leads.csv", "--out", "mine", cwd=tmp_path))
    assert "--out mine" in line and "--force" in line
    assert (mine / "observed.json").read_text() == "my own notes"
    assert salesim("import-crm", "x/leads.csv", "--out", "fresh", cwd=tmp_path).returncode == 0
    assert salesim("import-crm", "x/leads.csv", "--out", "fresh", cwd=tmp_path).returncode == 0  # the same again
    assert salesim("import-crm", "x/leads.csv", "--out", "mine", "--force", cwd=tmp_path).returncode == 0
    (tmp_path / "book.xlsx").write_text("a user's workbook")
    run = tmp_path / "run"
    run.mkdir()
    res = salesim("export-crm", str(run), "--out", "book.xlsx", cwd=tmp_path)
    assert res.returncode == 2 and (tmp_path / "book.xlsx").read_text() == "a user's workbook"


def test_hostile_workbooks_and_pipes_are_refused_in_one_line_at_once(tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Lead"
    sheet.append(["Id", "CreatedDate"])
    sheet.append(["1", "2029-01-01T10:00:00Z"])
    sheet["XFD1048576"] = "x"
    book.save(tmp_path / "far.xlsx")
    assert (tmp_path / "far.xlsx").stat().st_size < 10_000
    begun = time.perf_counter()
    line = _one_line_refusal(salesim("import-crm", "far.xlsx", "--out", "o1", cwd=tmp_path))
    assert time.perf_counter() - begun < 1.0 and "far.xlsx" in line and "cells" in line
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * 60_000_000 + b"</sheetData>")
    begun = time.perf_counter()
    line = _one_line_refusal(salesim("import-crm", "bomb.xlsx", "--out", "o2", cwd=tmp_path))
    assert time.perf_counter() - begun < 2.0 and "bomb.xlsx" in line and "unpacks" in line
    pipes = tmp_path / "pipes"
    pipes.mkdir()
    os.mkfifo(pipes / "Lead.csv")
    line = _one_line_refusal(salesim("import-crm", "pipes", "--out", "o3", cwd=tmp_path))
    assert "Lead.csv" in line and "not a regular file" in line
    line = _one_line_refusal(salesim("import-crm", "pipes/Lead.csv", "--out", "o4", cwd=tmp_path))
    assert "not a regular file" in line
    os.mkfifo(tmp_path / "map.yaml")
    _export(tmp_path / "y", _flat(["2029-01-01 10:00"]), FLAT_MAP.format(created="created", extra=""))
    line = _one_line_refusal(salesim("import-crm", "y/leads.csv", "--map", "map.yaml", "--out", "o5", cwd=tmp_path))
    assert "map.yaml" in line and "not a regular file" in line


def test_a_spreadsheets_semicolon_csv_with_decimal_commas_reads_with_decimal_declared(tmp_path: Path):
    (tmp_path / "leads.csv").write_text(
        "id;created;stage;closed;amount\n1;14.06.2017 10:00;Won;20.07.2017;1.234,56\n"
        "2;15.06.2017 11:00;Lost;21.07.2017;0\n"
    )
    (tmp_path / "leads.map.yaml").write_text(FLAT_MAP.format(created="created", extra='decimal: ","'))
    export = read_export(tmp_path / "leads.csv")
    assert export.leads["amount"].tolist() == [1234.56, 0.0]
    assert export.leads["created_at"].iloc[0] == pd.Timestamp("2017-06-14 10:00", tz="UTC")


def test_a_mapped_stage_column_the_export_lacks_is_not_measured_not_refused(tmp_path: Path):
    (tmp_path / "leads.csv").write_text("id,created\n1,2017-06-01 10:00\n2,2017-06-02 10:00\n")
    (tmp_path / "leads.map.yaml").write_text("leads: {columns: {lead_id: id, created_at: created, stage: st}}\n")
    export = read_export(tmp_path / "leads.csv")
    assert any(p.column == "st" and "not measured" in p.action for p in export.problems)
    assert export_funnel(export)["kpis"]["deals_won"] is None


@settings(max_examples=80, deadline=None)
@given(cents=st.integers(0, 10**11), decimal=st.sampled_from([".", ","]), symbol=st.sampled_from(["", "$", "€ ", "R$"]))
def test_any_amount_written_with_grouped_thousands_reads_back_with_its_decimal_mark(
    cents: int, decimal: str, symbol: str
):
    grouped = f"{cents // 100:,}.{cents % 100:02d}"  # 1,234,567.89
    text = symbol + (grouped if decimal == "." else grouped.translate(str.maketrans(",.", ".,")))
    amounts, reasons = parse_amounts(pd.Series([text]), decimal)
    assert amounts.iloc[0] == pytest.approx(cents / 100) and reasons.iloc[0] == "", text


def test_a_windows_1252_csv_is_read_and_said_so_and_other_bytes_are_refused_naming_the_encodings(tmp_path: Path):
    """Excel on Windows saves "CSV" in Windows-1252: accented owners (José, Müller) read as written."""
    rows = "id,created,stage,closed,amount,owner\n" + "".join(
        f"{i},2029-01-{i:02d},Won,2029-02-{i:02d},100,Jos\xe9 M\xfcller {i % 2}\n" for i in range(1, 21)
    )
    (tmp_path / "leads.csv").write_bytes(rows.encode("cp1252"))
    (tmp_path / "leads.map.yaml").write_text(FLAT_MAP.format(created="created", extra="").replace(
        "amount: amount}", "amount: amount, owner: owner}"))  # fmt: skip
    export = read_export(tmp_path / "leads.csv")
    assert sorted(export.leads["owner"].unique()) == ["José Müller 0", "José Müller 1"]
    assert any("read as Windows-1252" in p.line() for p in export.problems)
    res = salesim("import-crm", "leads.csv", "--out", "o", cwd=tmp_path)
    assert res.returncode == 0 and "not UTF-8: read as Windows-1252" in res.stderr, res.stderr
    (tmp_path / "bad.csv").write_bytes(b"id,created\n1,\x81\x8d\n")  # bytes no Windows-1252 text has
    line = _one_line_refusal(salesim("import-crm", "bad.csv", "--out", "o2", cwd=tmp_path))
    assert "bad.csv" in line and "neither UTF-8 nor Windows-1252" in line and "CSV UTF-8" in line
