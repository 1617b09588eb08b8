"""The agent-based model: the organization, its reps, the prospects' leads, the market and the policies.

Imports only :mod:`sim.config`.
"""
