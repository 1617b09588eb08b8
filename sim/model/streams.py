"""Random streams named per decision, as in Starsim: adding a decision never reseeds the others.

Each decision the model draws for (when inquiries arrive, how long a stage
lasts, whether a doubted lead is left lying, ...) has a generator of its own,
seeded from the run's seed and the decision's name. Two scenarios run with
the same seed therefore draw the same numbers for every decision they share
(common random numbers), and a new decision, or a lever that makes one
decision draw more often, leaves every other decision's numbers where they
were. On top of these, every prospect carries its own uniform draws
(:data:`sim.model.leads.N_DRAWS`), so the same prospect behaves the same way
whatever the organization does to it, unless a lever changes the odds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def name_key(name: str) -> tuple[int, int]:
    """A stable 64-bit key of a decision's name, as two 32-bit words (same on every machine and run)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:8], "little")


class UndeclaredStream(KeyError):
    """A decision drew from a stream no component declared (a typo would silently be a new stream)."""


class Streams(dict[str, np.random.Generator]):
    """The run's generators, one per decision name, made on first use.

    ``streams["market.arrival_times"]`` is the generator of that decision, seeded
    from ``SeedSequence([seed, *name_key(name)])``; a dict, so a look-up of an
    existing stream costs no more than a dict's. Each component declares the
    streams it owns (its ``STREAMS``); a name nobody declared is refused.

    Args:
        seed: the run's root seed.
        declared: the stream names the run's components own (None: any name, for tests and tools).
    """

    def __init__(self, seed: int, declared: Iterable[str] | None = None) -> None:
        super().__init__()
        self.seed = int(seed)
        self.declared = None if declared is None else frozenset(declared)

    def __missing__(self, name: str) -> np.random.Generator:
        if self.declared is not None and name not in self.declared:
            raise UndeclaredStream(f"random stream {name!r} is not declared by any component (STREAMS)")
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, *name_key(name)]))
        self[name] = rng
        return rng

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.seed, dict(self), self.declared))


def _rebuild(seed: int, made: dict[str, np.random.Generator], declared: frozenset[str] | None = None) -> Streams:
    streams = Streams(seed, declared)
    streams.update(made)
    return streams
