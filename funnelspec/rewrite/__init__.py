"""Rewriting spec files without losing anything: ``fmt``, ``lint --fix``, writes.

Both commands edit the text itself (spans found by composing the YAML) or
re-emit it with ruamel.yaml's round trip, then check that the data and every
comment survived before anything is written, and write atomically.
"""
