"""attnlab.theory.softmax_icl"""
