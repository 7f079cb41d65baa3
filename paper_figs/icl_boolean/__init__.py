"""icl_boolean plots: accuracy-vs-position curves per task and prompt type."""
