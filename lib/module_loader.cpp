#include "module_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "error.h"

namespace gankit {

void* load_module_entry(const char* file, const char* symbol) {
  static std::mutex mutex;
  static std::map<std::string, void*> handles;
  std::lock_guard lock(mutex);
  void*& handle = handles[file];
  if (!handle) {
    std::error_code ec;
    const std::filesystem::path beside = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / file;
    if (!ec) handle = dlopen(beside.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      handles.erase(file);
      fail(ErrorKind::Internal, fmt::format("cannot load the LibTorch module {}: {}", file, why ? why : "not found"));
    }
  }
  void* entry = dlsym(handle, symbol);
  GANKIT_CHECK(entry != nullptr, Internal, "cannot load the LibTorch module {}: it has no {}", file, symbol);
  return entry;
}

}  // namespace gankit
