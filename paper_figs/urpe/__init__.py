"""Plots of the URPE figures (stored rows only)."""
