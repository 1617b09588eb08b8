"""Names salesim builds (an arm, a folder): within the 80 characters of a scenario name, still unique."""

from __future__ import annotations


def derived_name(name: str, limit: int = 80) -> str:
    """A name salesim builds (an arm, a folder) within the scenario name's limit, still unique.

    Longer names keep their start and end with a hash of the whole in between.
    """
    if len(name) <= limit:
        return name
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    keep = (limit - len(digest) - 2) // 2
    return f"{name[:keep]}-{digest}-{name[-(limit - keep - len(digest) - 2) :]}"
