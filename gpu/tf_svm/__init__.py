"""attnlab.gpu.tf_svm"""
