// Loads libgankit_swd_torch.so (beside the executable, else on the library path) the first
// time a torch device is used, and forwards swd_torch.h to it.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "error.h"
#include "swd_torch.h"
#include "swd_torch_module.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

constexpr const char* kModule = "libgankit_swd_torch.so";

const SwdTorchModule& module() {
  static const SwdTorchModule* loaded = nullptr;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    std::error_code ec;
    const fs::path beside = fs::read_symlink("/proc/self/exe", ec).parent_path() / kModule;
    void* handle = ec ? nullptr : dlopen(beside.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) handle = dlopen(kModule, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      error = dlerror();
      return;
    }
    using Entry = const SwdTorchModule* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "gankit_swd_torch_module"));
    if (!entry || entry()->version != kSwdTorchModuleVersion) {
      error = "wrong or incomplete module";
      return;
    }
    loaded = entry();
  });
  GANKIT_CHECK(loaded != nullptr, Internal, "cannot load the LibTorch SWD module {}: {}", kModule, error);
  return *loaded;
}

}  // namespace

bool swd_device_available(const std::string& device) { return module().device_available(device); }

SwdResult sliced_wasserstein_torch(ImageSet& real, ImageSet& fake, const SwdOptions& options,
                                   const std::string& device) {
  return module().swd(real, fake, options, device);
}

}  // namespace gankit
