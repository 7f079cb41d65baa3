"""attnlab.experiments.softmax_icl"""
