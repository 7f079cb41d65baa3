"""attnlab.experiments.algoformer: figures and benchmarks for AlgoFormer and looped transformers."""
