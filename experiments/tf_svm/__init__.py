"""attnlab.experiments.tf_svm"""
