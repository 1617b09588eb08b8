"""Output folders: where results go, whose they are, and when they count as written.

Every command that writes a folder, and the Python API's :func:`sim.experiments.sweep.sweep`,
claim it here (:func:`claim`). A folder holding a run is stamped with the run's identity
(``.salesim-run.json``: the command and what it was asked), so the same command again may
write there, a different one only with ``force``; a folder salesim did not write (the user's
own files, or a run whose writing failed) is refused. A stamp is written only once the results
are (:meth:`OutputFolder.stamp`), so a command that fails half-way leaves a folder stamped as
nothing; results that replace a run whole are written in a temporary sibling swapped in
(:meth:`OutputFolder.fill`). Nothing here is kept between calls: each claim is its own object.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.config.errors import SalesimError
from sim.experiments.files import replace_folder, write_json

OUTPUTS = Path("outputs")  # results go to outputs/COMMAND/NAME unless the user names a folder
STAMP = ".salesim-run.json"  # the identity of the run a folder holds
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)  # a write that failed for want of space (or of quota)


class FolderError(SalesimError):
    """An output folder that cannot be used as asked: another run's, the user's own, or not writable."""


def default_folder(command: str, name: str) -> Path:
    """Where ``command`` writes the results called ``name`` when no folder is given."""
    return OUTPUTS / command / name


@dataclass(frozen=True)
class OutputFolder:
    """A folder claimed for one command's results.

    Attributes:
        path: the folder (it exists and is writable).
        identity: what the results are (the command and what it was asked), stamped once
            they are written; None for commands whose folders are not stamped.
    """

    path: Path
    identity: dict[str, Any] | None = None

    @property
    def stamp_path(self) -> Path:
        """The stamp file of the folder."""
        return self.path / STAMP

    def stamp(self) -> None:
        """Stamp the folder with its identity: call once every result is written."""
        if self.identity is not None:
            write_json(self.stamp_path, self.identity)

    def fill(self, write: Callable[[Path], object]) -> None:
        """Write the results with ``write(folder)`` and stamp them, all or nothing.

        The results are written in a temporary sibling swapped in whole, so a write that fails
        (a full disk, Ctrl-C, a bug) leaves the previous results as they were, or no folder: never
        a partial one that blocks the same command's rerun. Only a folder of files salesim did
        not write (taken with ``--force``) or the working directory itself is written in place.
        A full disk is a :class:`FolderError` naming the folder.
        """

        def whole(folder: Path) -> None:
            write(folder)
            if self.identity is not None:
                write_json(folder / STAMP, self.identity)

        try:
            if self._swappable():
                replace_folder(self.path, whole)
            else:
                whole(self.path)
        except OSError as exc:
            if exc.errno not in DISK_FULL:
                raise
            raise FolderError(
                f"{self.path}: the disk is full ({exc.strerror or os.strerror(exc.errno)}); nothing there was "
                "replaced: free some space and run the command again"
            ) from None

    def _swappable(self) -> bool:
        """Whether the folder may be replaced whole: empty, or holding salesim's results, and not the working one."""
        if not self.path.is_dir():
            return True
        if self.path.resolve() in (Path.cwd().resolve(), Path(self.path.resolve().anchor)):
            return False
        return self.stamp_path.is_file() or not any(self.path.iterdir())


def claim(
    out: str | Path | None,
    command: str,
    name: str = "",
    identity: dict[str, Any] | None = None,
    force: bool = False,
    whole: bool = False,
    refines: tuple[str, ...] = (),
) -> OutputFolder:
    """The output folder of ``command``, made and checked writable; refuses one holding other results.

    Args:
        out: the folder asked for (default ``outputs/COMMAND/NAME``).
        command: the command writing there ("sweep" folders hold a sweep, never a run).
        name: the results' name, for the default folder.
        identity: what the results are; the folder is refused if it holds a different run
            (unless ``force``) or files salesim did not write. None: not stamped, not checked.
        force: overwrite a folder that holds a different run.
        whole: the results replace the folder whole (:meth:`OutputFolder.fill`); otherwise they are
            written into it, and a different run's stamp is removed now (``force``), so a command
            that fails while writing leaves a folder stamped as nothing, not as the previous run.
        refines: keys of ``identity`` that add to the same run rather than make another (a report's
            ``uncertainty``): a folder whose run differs only in them is the same run's, taken without ``force``.

    Raises:
        FolderError: the folder holds other results, or cannot be written.
    """
    path = Path(out) if out else default_folder(command, name)
    stamp = path / STAMP
    if path.is_dir() and not stamp.is_file() and any(path.iterdir()):  # a sweep's, or the user's own
        sweep = _is_sweep(path)
        if command == "sweep" and (sweep or (path / "manifest.json").is_file()):
            pass  # a sweep folder (or its damaged manifest): the sweep checks it
        elif command == "sweep" or (identity is not None and not force):
            what = "a sweep" if sweep else "files salesim did not write there (or not whole)"
            hint = "" if command == "sweep" else ", or --force to overwrite it"
            raise FolderError(f"--out {path}: holds {what}; use another --out{hint}")
    if command == "sweep" and stamp.is_file():
        raise FolderError(f"--out {path}: holds a run, not a sweep; use another --out")
    if identity is not None and stamp.is_file() and not force and not _same_run(_stamped(stamp), identity, refines):
        raise FolderError(f"--out {path}: holds a different run; use another --out, or --force to overwrite it")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise FolderError(f"--out {path}: cannot write there ({exc.strerror})") from None
    if identity is not None and not whole and force and stamp.is_file():
        stamp.unlink()
    return OutputFolder(path, identity)


def _same_run(stamped: Any, identity: dict[str, Any], refines: tuple[str, ...]) -> bool:
    """Whether a stamped identity is this one, the keys that only refine a run aside."""
    if not isinstance(stamped, dict):
        return False
    return {k: v for k, v in stamped.items() if k not in refines} == {
        k: v for k, v in identity.items() if k not in refines
    }


def _stamped(stamp: Path) -> Any:
    """The identity a stamp holds (None if it cannot be read)."""
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None


def _is_sweep(path: Path) -> bool:
    try:
        return "digest" in json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError, TypeError):
        return False
