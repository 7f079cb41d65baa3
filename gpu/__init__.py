"""gpu: batched torch versions of theory/ for large sweeps; equal to theory/ on small cases.

Public modules: ``attnlab.gpu.device`` (get_device: explicit > ATTNLAB_DEVICE > cuda > cpu; device_name),
``attnlab.gpu.optim`` (torch operations for the one engine, :mod:`attnlab.theory.optim`),
``attnlab.gpu.softmax_icl.softmax_regression``, ``attnlab.gpu.softmax_icl.attention_layers``, ``attnlab.gpu.softmax_icl.gd_predictors``, ``attnlab.gpu.tf_svm.attention_gd``,
``attnlab.gpu.training`` (the shared training layer: four sequence models and one training loop).
Importing this package imports no torch and probes no CUDA.
"""
