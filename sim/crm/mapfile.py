"""A mapping file read: YAML 1.2 as scenarios are read (duplicate keys refused), size-capped, checked, merged.

docs/CRM.md lists its keys; :mod:`sim.crm.presets` holds what they mean.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.scenario import ScenarioError, read_yaml  # YAML 1.2 core schema, duplicate keys and aliases refused
from sim.crm.presets import CrmError, CrmMap, merged

MAX_MAP_BYTES = 256 * 1024  # a mapping file is a few dozen lines; anything this size is not one


def load_map(path: str | Path) -> CrmMap:
    """Read a mapping file (YAML 1.2, duplicate keys refused); every mistake raises :class:`CrmError` naming it."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise CrmError(f"{path}: cannot read the mapping file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise CrmError(f"{path}: not a regular file (a mapping file is a YAML file, not a pipe, device or folder)")
    if info.st_size > MAX_MAP_BYTES:
        raise CrmError(f"{path}: {info.st_size:,} bytes; a mapping file may be at most {MAX_MAP_BYTES:,}")
    if info.st_size == 0:
        raise CrmError(f"{path}: the mapping file is empty (docs/CRM.md gives examples)")
    try:
        data = read_yaml(path)  # as a scenario is read: the same YAML, the same refusals
    except ScenarioError as exc:
        said = str(exc).replace("a scenario needs at least 'name:'", "a mapping file needs at least one key")
        raise CrmError(
            said.replace("in scenarios", "in mapping files").replace("a scenario", "a mapping file")
        ) from None
    if not isinstance(data, dict):
        raise CrmError(f"{path}: a mapping file is a YAML mapping (keys: {', '.join(CrmMap.model_fields)})")
    return map_of(data, str(path))


def map_of(data: dict[str, Any], where: str = "mapping") -> CrmMap:
    """A mapping file's content checked and merged over its preset; CrmError naming the key otherwise."""
    try:
        return merged(CrmMap.model_validate(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        at = ".".join(str(p) for p in err["loc"]) or "(top)"
        if err["type"] == "extra_forbidden":
            raise CrmError(f"{where}: {at}: unknown key (see docs/CRM.md for the mapping file's keys)") from None
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] in ("string_type", "literal_error") and isinstance(err.get("input"), int | float | bool):
            message += f" (got {err['input']!r}: write it in quotes)"
        raise CrmError(f"{where}: {at}: {message}") from None
