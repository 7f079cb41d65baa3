"""Claims of Tarzanagh, Li, Thrampoulidis, Oymak (TF-SVM, arXiv 2308.16898) and Tarzanagh, Li, Zhang, Oymak
(MMTS, arXiv 2306.13596). One module per group of claims; discovery imports them all.
Only the two abstracts were read: TF-SVM's as printed in the paper (hf.zsm.im/papers/2308.16898.md, which does not
state its version; the arXiv v3 listing's abstract lacks its words 'for W-parameterization') and MMTS's (arXiv:2306.13596),
so locators of the papers' theorems quote the abstract and say what is unverified; claims attnlab derived point
at ``proofs_checks/tf_svm/DERIVATIONS.md``. Developers' spec: shared/papers/tf_svm.md.
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="tf_svm",
    title="Tarzanagh, Li, Thrampoulidis, Oymak: Transformers as Support Vector Machines (+ Max-Margin Token Selection)",
    arxiv="2308.16898",
    locator_base=(
        "arXiv:2308.16898v3 (TF-SVM; only the abstract read: the paper's own abstract, which adds 'for W-parameterization' "
        "to the arXiv listing's) and arXiv:2306.13596v4 (MMTS; only the abstract read); "
        "derived claims: proofs_checks/tf_svm/DERIVATIONS.md"
    ),
    spec="shared/papers/tf_svm.md",
    test_budget=3,  # each instance solves SVMs and runs NGD ladders
)
