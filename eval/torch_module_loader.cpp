// Loads libgankit_eval_torch.so (beside the executable, else on the library path) the first
// time it is needed, and forwards swd_torch.h and feature_extraction.h to it.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "error.h"
#include "feature_extraction.h"
#include "swd_torch.h"
#include "torch_module.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

constexpr const char* kModule = "libgankit_eval_torch.so";

const EvalTorchModule& module() {
  static const EvalTorchModule* loaded = nullptr;
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
    using Entry = const EvalTorchModule* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "gankit_eval_torch_module"));
    if (!entry || entry()->version != kEvalTorchModuleVersion) {
      error = "wrong or incomplete module";
      return;
    }
    loaded = entry();
  });
  GANKIT_CHECK(loaded != nullptr, Internal, "cannot load the LibTorch module {}: {}", kModule, error);
  return *loaded;
}

}  // namespace

bool swd_device_available(const std::string& device) { return module().device_available(device); }

SwdResult sliced_wasserstein_torch(ImageSet& real, ImageSet& fake, const SwdOptions& options,
                                   const std::string& device) {
  return module().swd(real, fake, options, device);
}

FeatureJobSummary extract_features(const FeatureJob& job) { return module().extract_features(job); }

}  // namespace gankit
