"""Benchmarks: cold start, warm overhead, local end-to-end, workflow, package size, cost.

Commands, not tests: ``python -m infra.bench`` (``make bench``) measures and writes
``build/bench/results.json`` and ``results.md``; docs/performance.md explains the numbers.
"""
