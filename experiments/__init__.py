"""experiments: one module per figure (run(cfg, seed) -> rows), the sweep runner, executors, the
SQLite results store, benchmarks and the ``attnlab`` CLI (``attnlab.experiments.cli``).

See ``attnlab.experiments.figures`` for the figure contract and the list of figure modules.
"""
