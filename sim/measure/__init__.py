"""Measurement: the KPI registry, the summary of a run, per-team tables and live monitors.

Imports only :mod:`sim.config` and :mod:`sim.model`.
"""
