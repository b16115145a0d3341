#!/usr/bin/env bash
# Data-parallel training's CUDA path on a GPU machine with PyTorch (no OpenCV/HDF5 needed): builds
# bench_data_parallel_cuda against that PyTorch's LibTorch (NCCL from its nvidia-nccl package) and
# runs it: one NCCL rank's exchanges checked, ProGAN trained through them against training alone,
# and both timed. Usage (repository root): bash bench/cuda/bench-data-parallel-cuda.sh [STEPS] [RESOLUTION]
set -e
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(), 'nccl', torch.cuda.nccl.version())"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
cmake -S bench/cuda -B /tmp/build-cuda -DTorch_DIR=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')/Torch > /tmp/cmake.log 2>&1 || { tail -30 /tmp/cmake.log; exit 1; }
grep -E "engines|NCCL|nccl" /tmp/cmake.log || true
cmake --build /tmp/build-cuda -j16 --target bench_data_parallel_cuda > /tmp/build.log 2>&1 || { grep -B2 -A12 -m3 "error" /tmp/build.log; tail -5 /tmp/build.log; exit 1; }
/tmp/build-cuda/bench_data_parallel_cuda cuda "${1:-40}" "${2:-64}"
