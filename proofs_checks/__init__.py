"""proofs_checks: one check per claim, the claims registry, Hypothesis strategies, sympy derivations.

See ``proofs_checks.registry`` (claim / empirical_claim decorators, PAPERS) and
``proofs_checks.record`` (ClaimCheck, Status, Budget).
"""
