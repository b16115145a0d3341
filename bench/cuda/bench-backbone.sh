#!/usr/bin/env bash
# The FID Inception backbone's speed on a GPU machine with PyTorch (no OpenCV/HDF5 needed): exports the
# network (random weights: the same cost as the real ones), times it from PyTorch, builds
# bench_backbone_cuda against that PyTorch's LibTorch and times it the way gan-eval calls it.
# Usage (repository root): bash bench/cuda/bench-backbone.sh
set -e
python3 -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__, torch.cuda.get_device_name())"
python3 scripts/export-inception.py --random-weights --out /tmp/inc.pt
python3 - <<'PY'
import time, torch
net = torch.jit.load('/tmp/inc.pt').cuda().eval()
x = torch.rand(100, 3, 299, 299) * 255
with torch.no_grad():
    for _ in range(3): net(x.cuda()).cpu()
    torch.cuda.synchronize(); t = time.time(); n = 0
    while n < 2000: net(x.cuda()).cpu(); n += 100
print('pytorch (same TorchScript file, batch 100): %.0f images/s' % (n / (time.time() - t)))
PY
cmake -S bench/cuda -B /tmp/build-cuda -DTorch_DIR=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')/Torch > /tmp/cmake.log 2>&1 || { tail -20 /tmp/cmake.log; exit 1; }
cmake --build /tmp/build-cuda -j16 --target bench_backbone_cuda > /tmp/build.log 2>&1 || { tail -30 /tmp/build.log; exit 1; }
/tmp/build-cuda/bench_backbone_cuda /tmp/inc.pt cuda 2000
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
