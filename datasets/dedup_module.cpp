#include "dedup_module.h"

#include "module_loader.h"

namespace gankit {

const DataTorchModule& data_torch_module() {
  static const DataTorchModule& loaded = load_module<DataTorchModule>(
      "libgankit_data_torch.so", "gankit_data_torch_module", kDataTorchModuleVersion, "gan-data");
  return loaded;
}

}  // namespace gankit
