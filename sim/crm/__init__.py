"""CRM exports: column presets and mapping files, a run written as an export, an export read back, the observed funnel.

Layer: beside :mod:`sim.measure` (imports :mod:`sim.config` and :mod:`sim.model` only). Nothing
here writes files: the command line writes what these functions return.
"""
