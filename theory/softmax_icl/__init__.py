r"""Softmax regression ICL vs weight shifting (Li, Song, Xia, Yu, Zhou 2023; arXiv 2304.13276).

Public API (names and semantics are stable; outside scripts rely on them):

* :func:`f` :math:`f(A, x) = \langle \exp(Ax), 1_n\rangle^{-1} \exp(Ax)`,
* :func:`loss` :math:`L(x) = \tfrac12 \|f(A, x) - b\|_2^2`,
* :func:`grad` :math:`\nabla_x L`, :func:`hessian` :math:`\nabla_x^2 L`,

all float64 numpy with log-sum-exp (see :mod:`.softmax_regression` for the derivations and the map to
the paper's notation). Modules: :mod:`.softmax_regression`, :mod:`.gd_construction` (one GD step from 0
as a linear-attention aggregate), :mod:`.attention_update` (one softmax self-attention update of a document,
the data shift), :mod:`.regularized` (the regularised loss of DLS23), :mod:`.examples` (named instances).

>>> import numpy as np
>>> from attnlab.theory.softmax_icl import f
>>> float(f(np.eye(2), np.zeros(2)).sum())
1.0
"""

from attnlab.theory.softmax_icl.softmax_regression import f as f
from attnlab.theory.softmax_icl.softmax_regression import grad as grad
from attnlab.theory.softmax_icl.softmax_regression import hessian as hessian
from attnlab.theory.softmax_icl.softmax_regression import loss as loss

__all__ = ["f", "loss", "grad", "hessian"]
