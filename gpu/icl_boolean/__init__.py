"""attnlab.gpu.icl_boolean: torch samplers of the Boolean tasks (same laws as :mod:`attnlab.theory.icl_boolean`),
the official token encoding as a training :class:`~attnlab.gpu.training.Batch`, and the official loss."""
