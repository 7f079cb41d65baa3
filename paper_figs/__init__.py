"""paper_figs: plot(rows) -> matplotlib Figure for each figure, and paper reference numbers as data.

Plot modules import only ``attnlab.paper_figs.style``, numpy and matplotlib: they never train or compute.
"""
