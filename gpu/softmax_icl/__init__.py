"""attnlab.gpu.softmax_icl"""
