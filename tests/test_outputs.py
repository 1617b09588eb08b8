"""Output folders (sim.experiments.outputs): whose results a folder holds, and when they count as written."""

from __future__ import annotations

import json

import pytest

from sim.experiments.outputs import STAMP, FolderError, claim, default_folder

RUN = {"command": "run", "scenario": "aligned"}
OTHER = {"command": "run", "scenario": "misaligned"}


def _files(folder):
    return {p.name: p.read_text() for p in folder.iterdir()}


def test_a_folder_is_stamped_only_when_its_results_are_written(tmp_path):
    folder = claim(tmp_path / "out", "compare", identity=RUN)
    (folder.path / "table.csv").write_text("a,b\n")
    assert not (folder.path / STAMP).exists()  # claimed, not yet written
    folder.stamp()
    assert json.loads((folder.path / STAMP).read_text()) == RUN
    assert claim(tmp_path / "out", "compare", identity=RUN).path == folder.path  # the same run again: fine


def test_a_different_run_needs_force_and_a_forced_claim_unstamps_until_written(tmp_path):
    claim(tmp_path / "out", "compare", identity=RUN).stamp()
    with pytest.raises(FolderError, match="holds a different run; use another --out, or --force"):
        claim(tmp_path / "out", "compare", identity=OTHER)
    forced = claim(tmp_path / "out", "compare", identity=OTHER, force=True)
    assert not (forced.path / STAMP).exists()  # a write that fails now leaves a folder stamped as nothing
    (forced.path / "half.csv").write_text("a")  # then the command fails: mixed files, stamped as nothing
    with pytest.raises(FolderError, match="files salesim did not write"):
        claim(tmp_path / "out", "compare", identity=OTHER)


def test_the_users_own_files_are_refused_and_left_alone(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("my own")
    with pytest.raises(FolderError, match="did not write"):
        claim(tmp_path / "mine", "run", identity=RUN, whole=True)
    with pytest.raises(FolderError, match="did not write"):
        claim(tmp_path / "mine", "sweep")
    assert _files(tmp_path / "mine") == {"notes.txt": "my own"}
    assert claim(tmp_path / "mine", "import-crm").path == tmp_path / "mine"  # unstamped commands write beside


def test_a_whole_folder_replaces_a_run_all_or_nothing(tmp_path):
    first = claim(tmp_path / "out", "run", identity=RUN, whole=True)
    first.fill(lambda path: (path / "summary.json").write_text("1"))
    assert _files(tmp_path / "out") == {"summary.json": "1", STAMP: json.dumps(RUN, indent=2) + "\n"}
    before = _files(tmp_path / "out")

    def disk_full(path):
        (path / "summary.json").write_text("{")
        raise OSError(28, "No space left on device")

    again = claim(tmp_path / "out", "run", identity=OTHER, force=True, whole=True)
    assert (tmp_path / "out" / STAMP).exists()  # a whole folder keeps its stamp until it is replaced
    with pytest.raises(FolderError, match="the disk is full"):  # one line naming the folder (exit 2)
        again.fill(disk_full)
    assert _files(tmp_path / "out") == before and [p.name for p in tmp_path.iterdir()] == ["out"]
    again.fill(lambda path: (path / "summary.json").write_text("2"))
    assert json.loads((tmp_path / "out" / STAMP).read_text()) == OTHER
    assert (tmp_path / "out" / "summary.json").read_text() == "2"


def test_a_sweep_folder_is_never_a_run_and_the_api_shares_the_policy(tmp_path, monkeypatch):
    import sim

    claim(tmp_path / "run", "run", identity=RUN, whole=True).fill(lambda path: None)
    with pytest.raises(FolderError, match="holds a run, not a sweep"):
        claim(tmp_path / "run", "sweep")
    spec = tmp_path / "s.yaml"
    spec.write_text("name: s\nbase: aligned\ndesign: grid\nparameters: {handoff.sla_hours: {values: [4]}}\n")
    with pytest.raises(FolderError, match="holds a run, not a sweep"):
        sim.sweep(spec, tmp_path / "run", executor="serial")
    monkeypatch.chdir(tmp_path)
    assert (
        claim(None, "fit", "export").path
        == default_folder("fit", "export")
        == tmp_path.joinpath("outputs", "fit", "export").relative_to(tmp_path)
    )


def test_an_unwritable_folder_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(FolderError, match=r"--out .*file.*: cannot write there"):
        claim(tmp_path / "file" / "out", "compare", identity=RUN)
