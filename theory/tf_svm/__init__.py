"""attnlab.theory.tf_svm"""
