"""``salesim plan``: which levers to change and whom to hire when, robust to what we do not know.

A plan spec (:mod:`sim.planning.spec`) names a base scenario, the decisions (levers by their
registry key, hires and exits per quarter, quotas and accelerators), the objectives and
constraints (KPIs across assumption sets), the uncertainty and the horizon. The search
(:mod:`sim.planning.search`) runs NSGA-II (pymoo) a generation at a time on the one runner, every
candidate on the same assumption sets and markets (:mod:`sim.planning.evaluate`), and spends
its runs by successive halving on the markets. The answer (:mod:`sim.planning.answer`) is the
Pareto front, the recommended plan in words with its robustness, and files people can open.
"""
