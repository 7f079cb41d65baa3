r"""Claims of Bhattamishra, Patel, Blunsom, Kanade, "Understanding In-Context Learning in Transformers and
LLMs by Learning to Learn Discrete Functions" (ICLR 2024, arXiv 2310.03016). Spec: ``shared/papers/icl_boolean.md``.

The paper's PDF was not read for the spec, so every locator points at the spec's derived claims (D1-D7,
section 7) or the official code [src: satwik77/incontext-bool]; no paper number is quoted. Modules:

* :mod:`.sampler_laws` label balances, duality, forced-example fractions, teaching prefixes (spec D7, 7.3);
* :mod:`.elimination` literal elimination is one-sided and exact on a singleton version space (D1);
* :mod:`.gf2` GF(2) determinacy and the rank-chain accuracy curve (D4, 2.11);
* :mod:`.teaching_sets` teaching sequences identify the function (D2);
* :mod:`.bayes_dominance` exact Bayes >= every baseline, position by position (7.1);
* :mod:`.nearest_neighbour` the nearest-neighbour task's labels follow its rule (D6).

Support: :mod:`.instances` (instances and strategies), :mod:`.stats` (exact tests).
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="icl_boolean",
    title="Bhattamishra, Patel, Blunsom, Kanade: Understanding In-Context Learning in Transformers and LLMs "
    "by Learning to Learn Discrete Functions",
    arxiv="2310.03016",
    locator_base="arXiv:2310.03016v1 / ICLR 2024 (PDF not read: locators cite the spec and the official code)",
    spec="shared/papers/icl_boolean.md",
)
