"""attnlab.paper_figs.tf_svm"""
