from typing import Any

class Schedule:
    def __init__(self, interval: float = ..., start: float | None = ..., **kwargs: Any) -> None: ...
