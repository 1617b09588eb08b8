"""The one base class of the mistakes a user can fix.

Each layer raises its own kind (:class:`~sim.config.scenario.ScenarioError`,
``ExperimentError``, ``SweepError``, the command line's ``UserError``), all
derived from :class:`SalesimError`. The command line catches the base alone,
so it need not import the modules that define the kinds (and their numerical
libraries) to tell a user mistake (exit 2) from a bug (exit 1).
"""

from __future__ import annotations


class SalesimError(ValueError):
    """A mistake the user can fix: a bad file, name, option or value; the message says which and what is allowed."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the work; the message says what was kept (exit code 130)."""
