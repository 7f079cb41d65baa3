r"""In-context learning of Boolean functions (Bhattamishra, Patel, Blunsom, Kanade; ICLR 2024; arXiv 2310.03016).

Public API (stable names):

* :func:`sample_prompts` ``(task, n_dims, n_points, batch, seed) -> (X, y)``: :math:`\pm1` int8 arrays
  ``(batch, n_points, n_dims)`` and ``(batch, n_points)`` with the official sampling law of ``task``
  (:data:`TASKS`; :mod:`.tasks` has the table).
* :func:`predict` ``(baseline, X, y, task=None, mode="clean") -> (B, N)``: per-position predictions of a
  baseline (:data:`BASELINES`).
* :func:`parity_optimal_curve` ``(n_dims, n_points, mode="clean") -> (N,)``: exact expected accuracy of
  Gaussian elimination by position.
* :func:`score`, :func:`accuracy_curve`, :func:`bootstrap_band`: clean (default) or official scoring.
* :func:`encode_prompt`: the official interleaved token sequence.
"""

from attnlab.theory.icl_boolean.baselines import BASELINES as BASELINES
from attnlab.theory.icl_boolean.baselines import predict as predict
from attnlab.theory.icl_boolean.baselines import predict_packed as predict_packed
from attnlab.theory.icl_boolean.encoding import encode_prompt as encode_prompt
from attnlab.theory.icl_boolean.gf2 import parity_optimal_curve as parity_optimal_curve
from attnlab.theory.icl_boolean.scoring import accuracy_curve as accuracy_curve
from attnlab.theory.icl_boolean.scoring import bootstrap_band as bootstrap_band
from attnlab.theory.icl_boolean.scoring import score as score
from attnlab.theory.icl_boolean.tasks import TASKS as TASKS
from attnlab.theory.icl_boolean.tasks import TaskDraw as TaskDraw
from attnlab.theory.icl_boolean.tasks import sample_prompts as sample_prompts
from attnlab.theory.icl_boolean.tasks import sample_task as sample_task

__all__ = ["BASELINES", "TASKS", "TaskDraw", "accuracy_curve", "bootstrap_band", "encode_prompt",
           "parity_optimal_curve", "predict", "predict_packed", "sample_prompts", "sample_task", "score"]
