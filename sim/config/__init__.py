"""Configuration: the scenario schema, ``extends:``/``--set``, behaviour parameters and the levers that set them.

The lowest layer: it imports nothing else of salesim.
"""
