"""attnlab.paper_figs.softmax_icl"""
