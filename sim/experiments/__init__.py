"""Experiments: one runner (tasks -> table) and what is built on it.

Replicate, compare, explain, sweeps, sensitivity, calibration and the lever
claims. Imports the layers below (config, model, measure), never presentation
or the command line.
"""
