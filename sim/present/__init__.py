"""Presentation: formatting, figures, the report, a lead's story and the dashboard page.

Imports any layer below; only the command line imports it.
"""
