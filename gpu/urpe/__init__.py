"""attnlab.gpu.urpe: the batched torch twin of the URPE transformer (:mod:`.transformer`) and the task models."""
