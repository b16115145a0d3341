// SWD computed with LibTorch tensors on a device ("cuda", "cuda:N" or "cpu"): the definition,
// input checks and random draws of sliced_wasserstein() (swd.h, via swd_plan.h), for GPUs,
// where the paper setting (16384 images of 128x128) fits in device memory. Descriptors are
// normalised with double statistics; projections are sorted with the device's sort. It agrees
// with the OpenBLAS path to ~1e-5 relative. Torch stays out of this header.
#pragma once

#include <string>

#include "image_set.h"
#include "swd.h"

namespace gankit {

// True when this build can compute on `device` ("cpu" always; "cuda[:N]" needs a CUDA LibTorch
// build, found through Torch_DIR, and a visible GPU).
bool swd_device_available(const std::string& device);

SwdResult sliced_wasserstein_torch(ImageSet& real, ImageSet& fake, const SwdOptions& options,
                                   const std::string& device);

}  // namespace gankit
