"""The heaviest test files first, so pytest-xdist's workers finish together.

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
