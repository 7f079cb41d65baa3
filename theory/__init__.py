"""theory: small explicit float64 implementations in the papers' notation (the base layer).

Public modules (import them directly; nothing heavy is imported here):

* ``attnlab.theory.softmax_icl.softmax_regression``: f, loss, grad, hessian of softmax regression (Li et al. 2023).
* ``attnlab.theory.softmax_icl.gd_construction``: one GD step from 0 as a centred linear-attention aggregate.
* ``attnlab.theory.tf_svm.attention_model``, ``attnlab.theory.tf_svm.attention_loss``, ``attnlab.theory.tf_svm.attention_svm`` (solve_att_svm,
  locally_optimal), ``attnlab.theory.tf_svm.attention_svm_nonlinear``, ``attnlab.theory.tf_svm.attention_gd``,
  ``attnlab.theory.tf_svm.attention_regpath``, ``attnlab.theory.tf_svm.attention_direction``: Transformers as SVMs.
* ``attnlab.theory.softmax_icl.examples`` and ``attnlab.theory.tf_svm.examples``: canonical named instances, good and broken.
* ``attnlab.theory.optim``: the one optimisation engine (batched (normalised) GD over a leading instance axis);
  the tf_svm parameterisations W, (K, Q), p, (v, p) on it are in ``attnlab.theory.tf_svm.attention_gd``.
* ``attnlab.theory._tolerances``: the one tolerance policy; ``attnlab.theory.errors``: user-facing errors.
"""

from attnlab.theory._version import __version__ as __version__
