#!/usr/bin/env bash
# The device check, run on a lent GPU machine (see README "GPU"): the gpu-marked tests on CUDA, the gpu/ twins
# against theory/ on CUDA, and one sweep timed on cuda and on cpu. Expects wheels of the solver stack in .whl/
# (the machine has no index); writes logs to $OUT when set.
set -uo pipefail
OUT=${OUT:-/tmp/attnlab-gpu-check}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 ATTNLAB_PROGRESS=0 HYPOTHESIS_PROFILE=ci
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl || exit 3
python3 -m pip install -q --no-index --no-deps --no-build-isolation --no-compile --target /tmp/pkg . || exit 3
export PYTHONPATH=/tmp/pkg:/tmp/site
python3 -c "import torch, attnlab.gpu.device as d; print(torch.__version__, torch.cuda.get_device_name(0), d.get_device())"
echo "== gpu-marked tests and gpu twins on cuda"
ATTNLAB_DEVICE=cuda python3 -m pytest -q -p no:cacheprovider -m "gpu or not slow" -o addopts="" \
    tests/gpu tests/unit/test_gpu_softmax_regression.py tests/unit/test_gpu_attention_layers.py \
    $(ls tests/unit/test_gpu_*.py tests/unit/test_training_layer.py 2>/dev/null | sort -u) 2>&1 | tee "$OUT/gpu_tests.log" | tail -25
echo "== one sweep timed on each device"
for dev in cuda cpu; do
    start=$(date +%s.%N)
    python3 -m attnlab.experiments.cli reproduce tf_svm/overparam-convergence --scale smoke --device $dev \
        --out /tmp/res-$dev --store /tmp/res-$dev/s.sqlite > "$OUT/sweep_$dev.log" 2>&1
    echo "$dev: exit $? in $(echo "$(date +%s.%N) - $start" | bc) s"; tail -3 "$OUT/sweep_$dev.log"
done
