r"""Every margin loss of attention_loss (logistic, exponential, correlation), not only the default logistic one.

Added for gaps the mutation harness (tests/mutation) found: planted bugs in the exponential and logistic
``Loss.diff`` (the cancellation-free :math:`\ell(u^\star + \delta) - \ell(u^\star)`) survived every test and
claim, because only the logistic loss's gradient was tested and ``loss_gap`` was only checked for its sign.

* ``value`` is the closed form, ``deriv`` its derivative (central differences);
* ``diff(us, dl) = value(us + dl) - value(us)`` where the naive difference is accurate (no saturation);
* ``score_loss_and_grad``: the loss is :math:`\frac1n \sum_i \ell(\sum_t s_{it}\gamma_{it})` and the gradient
  matches central differences in every query;
* ``loss_gap`` is :math:`\mathcal{L} - \frac1n \sum_i \ell(\max_t \gamma_{it})`.
* a batch of distinct instances gives each instance's loss, gradient and gap (a mean over the wrong axis fails).
Shapes (n, T, d) = (3, 5, 7), distinct so a swapped axis fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.tf_svm.attention_loss import LOSSES, get_loss, loss_gap, score_loss_and_grad

CLOSED_FORM = {
    "logistic": lambda u: np.log1p(np.exp(-u)),
    "exponential": lambda u: np.exp(-u),
    "correlation": lambda u: -u,
}
H = 1e-6  # central-difference step (TOL.finite_difference is sized for it)


def _instance(seed=0, n=3, T=5, d=7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, T, d)), 0.5 * rng.standard_normal((n, d)), rng.standard_normal((n, T))


def test_every_named_loss_has_a_closed_form_here():
    assert set(LOSSES) == set(CLOSED_FORM)


@pytest.mark.parametrize("name", sorted(CLOSED_FORM))
def test_value_is_the_closed_form_and_deriv_its_derivative(name):
    lo = get_loss(name)
    u = np.linspace(-3.0, 4.0, 15)
    assert_close(lo.value(u), CLOSED_FORM[name](u), TOL.float64_exact, f"{name} value")
    fd = (lo.value(u + H) - lo.value(u - H)) / (2 * H)
    assert_close(lo.deriv(u), fd, TOL.finite_difference, f"{name} deriv")


@pytest.mark.parametrize("name", sorted(CLOSED_FORM))
def test_diff_is_the_difference_of_values_away_from_saturation(name):
    lo = get_loss(name)
    us = np.array([-1.5, -0.2, 0.0, 0.7, 2.5])
    dl = np.array([-2.0, -0.3, -1.1, -0.05, -0.8])
    assert_close(lo.diff(us, dl), lo.value(us + dl) - lo.value(us), TOL.float64_exact, f"{name} diff")


@pytest.mark.parametrize("name", sorted(CLOSED_FORM))
def test_score_loss_is_the_mean_loss_of_the_attention_score_and_its_gradient_matches_differences(name):
    keys, q, gamma = _instance(seed=1)
    L, U, s = score_loss_and_grad(keys, q, gamma, name)
    s_naive = softmax(np.einsum("ntd,nd->nt", keys, q), axis=-1)
    assert_close(s, s_naive, TOL.float64_exact, "probabilities")
    assert_close(L, CLOSED_FORM[name]((s_naive * gamma).sum(-1)).mean(), TOL.float64_exact, f"{name} loss")
    E = np.random.default_rng(2).standard_normal(q.shape)
    up = score_loss_and_grad(keys, q + H * E, gamma, name)[0]
    down = score_loss_and_grad(keys, q - H * E, gamma, name)[0]
    assert_close(np.sum(U * E), (up - down) / (2 * H), TOL.finite_difference, f"{name} gradient")


@pytest.mark.parametrize("name", sorted(CLOSED_FORM))
def test_loss_gap_is_the_loss_minus_the_loss_at_the_best_scores(name):
    keys, q, gamma = _instance(seed=3)
    L = score_loss_and_grad(keys, q, gamma, name)[0]
    best = CLOSED_FORM[name](gamma.max(axis=-1)).mean()
    assert_close(loss_gap(keys, q, gamma, name), L - best, TOL.float64_exact, f"{name} loss gap")


@pytest.mark.parametrize("name", sorted(CLOSED_FORM))
def test_a_batch_of_distinct_instances_gives_each_instances_loss_gradient_and_gap(name):
    batch = [_instance(seed=10 + b) for b in range(4)]  # batch 4, (n, T, d) = (3, 5, 7)
    keys, q, gamma = (np.stack(parts) for parts in zip(*batch, strict=True))
    L, U, _ = score_loss_and_grad(keys, q, gamma, name)
    gap = loss_gap(keys, q, gamma, name)
    assert L.shape == gap.shape == (4,)
    for b, (k1, q1, g1) in enumerate(batch):
        L1, U1, _ = score_loss_and_grad(k1, q1, g1, name)
        assert_close(L[b], L1, TOL.float64_exact, f"batched loss {b}")
        assert_close(U[b], U1, TOL.float64_exact, f"batched gradient {b}")
        assert_close(gap[b], loss_gap(k1, q1, g1, name), TOL.float64_exact, f"batched gap {b}")
