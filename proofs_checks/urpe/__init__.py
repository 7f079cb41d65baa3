"""Claims of Luo, Li, Zheng, Liu, Wang, He, "Your Transformer May Not be as Powerful as You Expect" (URPE,
NeurIPS 2022, arXiv 2205.13401) and of Luo et al., "Stable, Fast and Accurate: Kernelized Attention with Relative
Positional Encoding" (NeurIPS 2021, arXiv 2106.12566). One module per group of claims; discovery imports them all.
Spec: shared/papers/urpe.md. Only the abstracts, the poster and the official code were read, so theorem numbers
are unverified locators; the negative theorem is checked in the sup-norm form the spec derives (pitfall 1).
"""

from attnlab.proofs_checks.papers import Paper

PAPER = Paper(
    key="urpe",
    title="Luo et al.: Your Transformer May Not be as Powerful as You Expect (URPE) + Kernelized Attention with RPE",
    arxiv="2205.13401",
    locator_base=(
        "arXiv:2205.13401v2 (URPE; abstract and section 1 read, theorems not), its NeurIPS poster and code at "
        "lsj2408/URPE 47b711f; arXiv:2106.12566v2 (kernelized RPE; abstract read); derived claims: "
        "proofs_checks/urpe/DERIVATIONS.md"
    ),
    spec="shared/papers/urpe.md",
)
