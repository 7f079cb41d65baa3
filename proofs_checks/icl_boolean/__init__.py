r"""Claims of Bhattamishra, Patel, Blunsom, Kanade, "Understanding In-Context Learning in Transformers and
LLMs by Learning to Learn Discrete Functions" (ICLR 2024, arXiv 2310.03016). Spec: ``shared/papers/icl_boolean.md``.

Only the paper's abstract was read, not its PDF: no paper number is quoted. Locators cite the official code
(satwik77/incontext-bool, ``src/bool_tasks.py``) for the sampling laws, or our own derivations in
``proofs_checks/icl_boolean/DERIVATIONS.md``. Modules:

* :mod:`.sampler_laws` label balances, duality, forced-example fractions, teaching prefixes;
* :mod:`.elimination` literal elimination is one-sided and exact on a singleton version space;
* :mod:`.gf2` GF(2) determinacy and the rank-chain accuracy curve;
* :mod:`.teaching_sets` teaching sequences identify the function;
* :mod:`.bayes_dominance` exact Bayes >= every baseline, position by position;
* :mod:`.bayes_posterior` the Bayes posterior equals a brute-force evaluation of its formula;
* :mod:`.baseline_rules` the vectorised baselines equal per-example loops of their definitions;
* :mod:`.nearest_neighbour` the nearest-neighbour task's labels follow its rule.

Support: :mod:`.instances` (instances and strategies), :mod:`.stats` (exact tests).
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="icl_boolean",
    title="Bhattamishra, Patel, Blunsom, Kanade: Understanding In-Context Learning in Transformers and LLMs "
    "by Learning to Learn Discrete Functions",
    arxiv="2310.03016",
    locator_base="Bhattamishra, Patel, Blunsom, Kanade, ICLR 2024, arXiv:2310.03016 (only the abstract read; "
    "paper tables and figures unverified) and the official code satwik77/incontext-bool, src/",
    test_budget=12,  # the claims at this budget (with their controls) take a few seconds
    spec="shared/papers/icl_boolean.md",
)
