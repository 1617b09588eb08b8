"""The heaviest test files first, so pytest-xdist's workers finish together; the count of tests said first.

``make test`` hands whole files to its workers (``--dist loadfile``) in collection
order; with the longest files first, the last ones to start are short and no core
waits long for another at the end (longest-processing-time-first scheduling). The
order inside a file is kept. The ranking is of CPU seconds in the fast tier,
measured; a file not listed comes after them, in its usual order.
"""

from __future__ import annotations

import pytest

HEAVIEST_FIRST = (
    "test_field_capacity.py", "test_reliability.py", "test_sweep.py", "test_fit.py", "test_levers.py",
    "test_readme.py", "test_compare.py", "test_report.py", "test_dashboard.py", "test_uncertainty.py",
    "test_field_staffing.py", "test_lever_markets.py", "test_satisfaction.py", "test_refresh.py",
    "test_timeline.py", "test_customers.py", "test_crm.py", "test_quotas.py", "test_runner.py",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the files by :data:`HEAVIEST_FIRST`, then the rest; keep each file's own order."""
    rank = {name: i for i, name in enumerate(HEAVIEST_FIRST)}
    order = {id(item): i for i, item in enumerate(items)}
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), order[id(item)]))


def _count_line(count: int, workers: object = 0) -> str:
    where = f" on {workers} workers (pytest-xdist)" if isinstance(workers, int) and workers else " in one process"
    return f"{count:,} test{'' if count == 1 else 's'}{where}: a dot each, the share done at the end of each line"


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> str | None:
    """Say how many tests run before the first dot (one process; the workers of ``-n`` say it below)."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: its controller speaks
        return None
    return _count_line(len(items))


_told: set[str] = set()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    """Say how many tests run once the first worker has collected them (every worker collects them all)."""
    if _told:
        return
    _told.add(node.gateway.id)
    reporter = node.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(_count_line(len(ids), node.config.getoption("numprocesses")))
