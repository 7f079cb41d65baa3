"""attnlab.gpu.algoformer: batched torch versions of the explicit looped constructions (theory/algoformer)."""
