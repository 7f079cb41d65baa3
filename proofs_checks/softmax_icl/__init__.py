r"""Claims of Li, Song, Xia, Yu, Zhou, "The Closeness of In-Context Learning and Weight Shifting for Softmax
Regression" (arXiv 2304.13276; ICLR 2024 submission; NeurIPS 2024 poster SFaEENfEyw). Spec:
``shared/papers/softmax_icl.md``.

Every module below this package is imported by discovery (:mod:`attnlab.proofs_checks.papers`), which
registers its claims. One concept per module:

* :mod:`.derivatives` C3-C5 (Jacobian, gradient, Hessian, the DLS23-form equivalence);
* :mod:`.symbolic` exact sympy checks of C3-C5 and C10 at small n;
* :mod:`.lipschitz` C6-C8 tight constants, with a tie-seeking ascent and interval certificates;
* :mod:`.paper_bound` C1, C2, C9 (the literal theorem with :math:`M = n^{1.5}e^{10R^2}`, its sub-lemma
  chain [unverified], and how loose M is);
* :mod:`.gd` C10-C12, shift invariance, and the certified bound on the smoothness constant C at n = 2, 3;
* :mod:`.closeness` the closeness itself: one GD step against one softmax attention update on the same task,
  and how often attention layers meet the theorem's hypothesis;
* :mod:`.regularized` the regularised softmax regression (DLS23): positive-definite Hessian.

Support: :mod:`.instances`, :mod:`.hypotheses`, :mod:`.strategies`, :mod:`.ascent`, :mod:`.certify`,
:mod:`.certify_smoothness`, :mod:`.reference` (independent computations every claim compares the package with).
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="softmax_icl",
    title="Li, Song, Xia, Yu, Zhou: The Closeness of In-Context Learning and Weight Shifting for Softmax Regression",
    arxiv="2304.13276",
    locator_base=(
        "arXiv:2304.13276v1 (abstract read, full text not; NeurIPS 2024 version for figures); "
        "derived claims: proofs_checks/softmax_icl/DERIVATIONS.md"
    ),
    spec="shared/papers/softmax_icl.md",
    test_budget=30,
)
