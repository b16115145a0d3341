// Torch device selection for training and evaluation: "cpu", "cuda" or "cuda:N".
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace gankit {

// True when this LibTorch build and machine can compute on `name`. Throws Error(Usage) for a
// name that is not cpu, cuda or cuda:N.
bool torch_device_available(const std::string& name);

// The device `name`. Throws Error(Usage) naming it when malformed or absent (Debian's LibTorch
// is CPU-only; a CUDA build comes through -DTorch_DIR).
c10::Device torch_device(const std::string& name);

// Sets the CPU threads of LibTorch's intra-op pool (Debian's build uses 1 unless told);
// 0 = all cores.
void set_torch_threads(int threads);

}  // namespace gankit
