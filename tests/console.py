"""The ``salesim`` command run in the test's own process, for tests whose subject is not the process.

A command started as a process pays about 1.5 s of CPU for its imports; in-process it pays
none. What a user sees is the same: the exit code, stdout and stderr of the command line
(``sim.cli.main`` turns mistakes into one line and exit 2 itself). The console script's own
process (its start, signals, settling) is tested as a process in test_cli.py and
test_reliability.py.
"""

from __future__ import annotations

import contextlib
import subprocess
import traceback
from pathlib import Path

from click.testing import CliRunner


def salesim_in_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``salesim ARGS`` in this process from ``cwd``; the result reads like a finished process's.

    An exception that escapes the command line (a bug: the real process would print its
    traceback) is appended to stderr as a traceback, so tests that forbid one still fail.
    """
    from sim.cli import main

    with contextlib.chdir(cwd):
        res = CliRunner().invoke(main, [str(a) for a in args])
    stderr = res.stderr
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        stderr += "".join(traceback.format_exception(res.exception))
    return subprocess.CompletedProcess(["salesim", *args], res.exit_code, res.stdout, stderr)
