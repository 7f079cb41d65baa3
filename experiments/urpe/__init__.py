"""URPE figures: synthetic position tasks (F1, F2), the lower-bound sweep, kernelized RPE by FFT (error, time)."""
