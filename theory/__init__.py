"""theory: small explicit float64 implementations in the papers' notation (the base layer).

Public modules (import them directly; nothing heavy is imported here):

* ``theory.softmax_regression``: f, loss, grad, hessian of softmax regression (Li et al. 2023).
* ``theory.softmax_gd_construction``: one GD step from 0 as a centred linear-attention aggregate.
* ``theory.attention_model``, ``theory.attention_loss``, ``theory.attention_svm`` (solve_att_svm,
  locally_optimal), ``theory.attention_svm_nonlinear``, ``theory.attention_gd``,
  ``theory.attention_regpath``, ``theory.attention_direction``: Transformers as SVMs.
* ``theory.examples`` and ``theory.examples_tf_svm``: canonical named instances, good and broken.
* ``theory._tolerances``: the one tolerance policy; ``theory.errors``: user-facing errors.
"""

from theory._version import __version__ as __version__
