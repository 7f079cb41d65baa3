"""Claims of Tarzanagh, Li, Thrampoulidis, Oymak (TF-SVM, arXiv 2308.16898) and Tarzanagh, Li, Zhang, Oymak
(MMTS, arXiv 2306.13596). One module per group of claims; discovery imports them all.
Spec: shared/papers/tf_svm.md (theorem wording and numbering unverified, so locators are ``unverified``).
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="tf_svm",
    title="Tarzanagh, Li, Thrampoulidis, Oymak: Transformers as Support Vector Machines (+ Max-Margin Token Selection)",
    arxiv="2308.16898",
    locator_base="arXiv:2308.16898v3 (TF-SVM) and arXiv:2306.13596 (MMTS)",
    spec="shared/papers/tf_svm.md",
    test_budget=3,  # each instance solves SVMs and runs NGD ladders
)
