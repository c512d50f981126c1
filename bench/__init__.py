"""Benchmarks of Partida's backup and import against Django's dumpdata/loaddata and the raw floor.

Run ``python -m bench`` (see ``bench/run.py`` and the README's "Benchmarks" section).
"""
