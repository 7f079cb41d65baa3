r"""The shared training layer (torch): four sequence models with one read-in/read-out, and one loop.

* :class:`ModelSpec` + :func:`build_model`: ``gpt2`` (pre-LN causal decoder, learned positions),
  ``lstm``, ``looped`` (weight-tied unit with input injection; ``model(x, n_loops=k)`` and
  ``model.outputs_per_loop(x, k)``), ``attention_free`` (gated causal conv + cumulative mean).
  All map (B, L, d_in) -> (B, L, d_out).
* :class:`Batch`, :class:`TrainSpec`, :func:`train` -> :class:`TrainResult`: fresh tasks every step,
  seeded by (seed, step); evaluation rows, progress, checkpoint and resume.
* :func:`per_position` (metrics ``mse``, ``accuracy_sign``) and :func:`masked_mse`.

Files: ``spec.py``, ``attention_block.py``, ``attention_free.py``, ``backbones.py``,
``sequence_model.py``, ``build.py``, ``batch.py``, ``seeding.py``, ``loop.py``, ``checkpoint.py``,
``metrics.py``, ``console.py``, ``threads.py`` (one CPU thread per run by default: ``ATTNLAB_TRAIN_THREADS``).
"""

from attnlab.gpu.training.batch import Batch as Batch
from attnlab.gpu.training.build import build_model as build_model
from attnlab.gpu.training.console import console_progress as console_progress
from attnlab.gpu.training.loop import TrainResult as TrainResult
from attnlab.gpu.training.loop import TrainSpec as TrainSpec
from attnlab.gpu.training.loop import train as train
from attnlab.gpu.training.metrics import masked_mse as masked_mse
from attnlab.gpu.training.metrics import per_position as per_position
from attnlab.gpu.training.seeding import step_generator as step_generator
from attnlab.gpu.training.spec import MODEL_KINDS as MODEL_KINDS
from attnlab.gpu.training.spec import ModelSpec as ModelSpec
from attnlab.gpu.training.threads import cpu_threads as cpu_threads

__all__ = ["Batch", "build_model", "console_progress", "TrainResult", "TrainSpec", "train", "masked_mse",
           "per_position", "step_generator", "MODEL_KINDS", "ModelSpec", "cpu_threads"]
