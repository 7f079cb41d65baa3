"""Claims of Tarzanagh, Li, Thrampoulidis, Oymak (TF-SVM, arXiv 2308.16898) and Tarzanagh, Li, Zhang, Oymak
(MMTS, arXiv 2306.13596). One module per group of claims; importing this package registers them all.
Spec: shared/papers/tf_svm.md (theorem wording and numbering unverified, so locators are ``unverified``).
"""

from attnlab.proofs_checks.tf_svm import (
    convergence,  # noqa: F401
    feasibility,  # noqa: F401
    landscape,  # noqa: F401
    mmts_toys,  # noqa: F401
    svm_structure,  # noqa: F401
)
