r"""Transformers as SVMs (Tarzanagh, Li, Thrampoulidis, Oymak 2023, arXiv 2308.16898) and max-margin token
selection (Tarzanagh, Li, Zhang, Oymak 2023, arXiv 2306.13596).

Public API (names and semantics are stable; outside scripts rely on them):

* :func:`solve_att_svm` ``(X, Z, alpha, norm="fro")``: the certified Att-SVM solution
  :math:`W^{mm}_\alpha` (``.W``, ``.status``, ``.certificate``, ``.support``);
* :func:`locally_optimal` ``(X, Z, v, Y, alpha, norm="fro")``: whether the token selection ``alpha`` is
  locally optimal (its support tokens score highest among their neighbours).

Both are loaded on first use (the solver stack is not imported by ``import attnlab.theory.tf_svm``).
Modules: :mod:`.attention_model`, :mod:`.attention_loss`, :mod:`.attention_gd`, :mod:`.attention_svm`,
:mod:`.attention_svm_exact`, :mod:`.attention_svm_nonlinear`, :mod:`.attention_regpath`,
:mod:`.attention_direction`, :mod:`.examples`.
"""

from __future__ import annotations

import importlib

__all__ = ["solve_att_svm", "locally_optimal"]

_LAZY = {"solve_att_svm": "attention_svm", "locally_optimal": "attention_svm"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
