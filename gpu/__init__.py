"""gpu: batched torch versions of theory/ for large sweeps; equal to theory/ on small cases.

Public modules: ``gpu.device`` (get_device: explicit > ATTNLAB_DEVICE > cuda > cpu),
``gpu.softmax_regression``, ``gpu.attention_layers``, ``gpu.gd_predictors``, ``gpu.attention_gd``.
Importing this package imports no torch and probes no CUDA.
"""
