#include "dedup_module.h"

#include "error.h"
#include "module_loader.h"

namespace gankit {

const DataTorchModule& data_torch_module() {
  static const DataTorchModule* loaded = [] {
    using Entry = const DataTorchModule* (*)();
    auto entry = reinterpret_cast<Entry>(load_module_entry("libgankit_data_torch.so", "gankit_data_torch_module"));
    const DataTorchModule* m = entry();
    GANKIT_CHECK(m->version == kDataTorchModuleVersion, Internal,
                 "libgankit_data_torch.so is version {}, gan-data needs {}: rebuild", m->version,
                 kDataTorchModuleVersion);
    return m;
  }();
  return *loaded;
}

}  // namespace gankit
