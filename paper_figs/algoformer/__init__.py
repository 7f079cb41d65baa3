"""attnlab.paper_figs.algoformer: plots of the algoformer figures (from stored rows only)."""
