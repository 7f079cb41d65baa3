r"""Claims of AlgoFormer (Gao et al., arXiv 2402.13572; v1 "On the Expressive Power of a Variant of the Looped
Transformer", v2 "AlgoFormer: An Efficient Transformer Framework with Algorithmic Structures", TMLR 2025) and the
looped-transformer constructions it builds on. Spec: ``shared/papers/algoformer.md``.

Only AlgoFormer's abstracts were read, so its theorems are ``unverified`` and every construction is ours: each
claim's locator points at its derivation in ``proofs_checks/algoformer/DERIVATIONS.md`` and each is checked
against the direct algorithm loop by loop. Modules:

* :mod:`.loops` A1, A2, A4, A6, A7, A8: construction == algorithm at every loop (Hypothesis);
* :mod:`.stability` A3 (GD threshold 2/lambda_max both sides), A8 (Newton-Schulz residual squares), A5
  (softmax copy error);
* :mod:`.metamorphic` permutation, rotation, scaling and duplication invariances of the GD loop;
* :mod:`.symbolic` sympy one-step algebra;
* :mod:`.optimality` CG dominates the looped GD at every T (the bar for a learned loop), and equals the Krylov optimum;
* :mod:`.chebyshev` the Chebyshev baseline's error is the scaled Chebyshev polynomial.

Support: :mod:`.instances`, :mod:`.strategies`.
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="algoformer",
    title="Gao et al.: AlgoFormer / On the Expressive Power of a Variant of the Looped Transformer (+ looped-transformer constructions)",
    arxiv="2402.13572",
    locator_base="arXiv:2402.13572 (v1 21 Feb 2024, v2 10 Jan 2025); body text unread, so theorem locators are unverified",
    test_budget=12,  # the claims at this budget (with their controls) take a few seconds
    spec="shared/papers/algoformer.md",
)
