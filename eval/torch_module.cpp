// The function table of libgankit_eval_torch.so.
#include "device.h"
#include "torch_module.h"

extern "C" const gankit::EvalTorchModule* gankit_eval_torch_module() {
  static const gankit::EvalTorchModule module{gankit::kEvalTorchModuleVersion, &gankit::torch_device_available,
                                              &gankit::torch_swd, &gankit::torch_extract_features};
  return &module;
}
