"""The papers' public API under attnlab.theory.<paper>: the names outside scripts rely on, with their semantics."""

from __future__ import annotations

import inspect

import numpy as np

import attnlab.theory.softmax_icl as softmax_icl
import attnlab.theory.tf_svm as tf_svm
from attnlab.theory.softmax_icl import softmax_regression
from attnlab.theory.tf_svm import attention_svm


def test_softmax_icl_public_names_are_the_reference_functions():
    for name in ("f", "loss", "grad", "hessian"):
        assert getattr(softmax_icl, name) is getattr(softmax_regression, name)
    assert list(inspect.signature(softmax_icl.grad).parameters) == ["A", "x", "b"]


def test_softmax_icl_public_functions_compute_the_paper_quantities_on_distinct_shapes():
    rng = np.random.default_rng(3)
    A, x = rng.normal(size=(5, 3)), rng.normal(size=3)
    b = softmax_icl.f(A, rng.normal(size=3))
    u = np.exp(A @ x)
    assert np.allclose(softmax_icl.f(A, x), u / u.sum(), rtol=1e-14)
    assert np.isclose(softmax_icl.loss(A, x, b), 0.5 * np.sum((u / u.sum() - b) ** 2), rtol=1e-13)
    assert softmax_icl.grad(A, x, b).shape == (3,) and softmax_icl.hessian(A, x, b).shape == (3, 3)


def test_tf_svm_public_names_load_lazily_and_are_the_solver_functions():
    assert tf_svm.solve_att_svm is attention_svm.solve_att_svm
    assert tf_svm.locally_optimal is attention_svm.locally_optimal
    assert list(inspect.signature(tf_svm.solve_att_svm).parameters)[:4] == ["X", "Z", "alpha", "norm"]
    assert list(inspect.signature(tf_svm.locally_optimal).parameters)[:6] == ["X", "Z", "v", "Y", "alpha", "norm"]
