// The interface between gan-eval and the LibTorch SWD module (libgankit_swd_torch.so), which
// is loaded with dlopen on first use. Internal to gankit::eval.
#pragma once

#include <string>

#include "image_set.h"
#include "swd.h"

namespace gankit {

constexpr int kSwdTorchModuleVersion = 1;

struct SwdTorchModule {
  int version;
  bool (*device_available)(const std::string& device);
  SwdResult (*swd)(ImageSet& real, ImageSet& fake, const SwdOptions& options, const std::string& device);
};

}  // namespace gankit

// Exported by the module: its function table.
extern "C" const gankit::SwdTorchModule* gankit_swd_torch_module();
