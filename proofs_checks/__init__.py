"""proofs_checks: one check per claim, the claims registry, Hypothesis strategies, sympy derivations.

See ``attnlab.proofs_checks.registry`` (claim / empirical_claim decorators, PAPERS) and
``attnlab.proofs_checks.record`` (ClaimCheck, Status, Budget).
"""
