"""icl_boolean figures: accuracy vs in-context examples (models beside baselines), teaching vs random
prompts, Bayes-optimal vs the PAC learner; ``bench`` holds the sampler throughput benchmarks."""
