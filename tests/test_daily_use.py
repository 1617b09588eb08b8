"""Issue 33: what a user meets in daily use: uncertainty rankings only where the sets can tell, reuse of runs."""

import re

from click.testing import CliRunner

from sim.cli import main
from sim.experiments.uncertainty import noise_bound, sets_to_rank


def _scenarios(folder):
    for name, base in (("mis", "misaligned"), ("ali", "aligned")):
        (folder / f"{name}.yaml").write_text(f"name: {name}\nextends: {base}\nsimulation: {{warmup_days: 0}}\n")


def test_a_ranking_of_assumptions_is_printed_only_when_the_sets_can_tell_one_from_noise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _scenarios(tmp_path)
    args = ["compare", "mis.yaml", "ali.yaml", "-n", "2", "--days", "3", "--workers", "1"]
    res = CliRunner().invoke(main, [*args, "--uncertainty", "4", "--per-set", "1"])
    assert res.exit_code == 0, res.stderr
    assert "depends most on" not in res.stdout and "rho" not in res.stdout  # issue 33: "rho +1.00, within noise"
    assert re.search(r"With 4 assumption sets no assumption can be told from noise among the (\d+) varied", res.stdout)
    varied = int(re.search(r"among the (\d+) varied", res.stdout)[1])
    assert f"about {sets_to_rank(varied)} sets would tell one of 0.5 apart" in res.stdout
    html = (tmp_path / "outputs" / "compare" / "mis-vs-ali" / "report.html").read_text()
    assert "sets would tell one of 0.5 apart" in html and "<th>rho</th>" not in html
    # the number of sets it takes: the smallest whose noise bound is at most 0.5
    for m in (10, 140):
        n = sets_to_rank(m)
        assert noise_bound(n, m) <= 0.5 < noise_bound(n - 1, m)
