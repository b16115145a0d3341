// Loading of gankit's LibTorch modules (libgankit_*_torch.so) with dlopen, on first use only.
//
// Linking LibTorch into a tool adds ~0.45 s to every start (loading and registering
// libtorch_cpu), so the tools that only sometimes need it keep their torch code in a module.
#pragma once

#include "error.h"

namespace gankit {

// The entry `symbol` of module `file`: looked for beside the executable, then on the library
// path; opened once per process (later calls return the same address). Throws Error(Internal)
// "cannot load the LibTorch module FILE: WHY" when the file or the symbol is missing.
void* load_module_entry(const char* file, const char* symbol);

// The function table that module `file`'s entry `symbol` (extern "C" const Module* symbol())
// returns, checked to have Module::version == `version`: Error(Internal) "FILE is version N,
// TOOL needs M: rebuild" when the module and the tool come from different builds.
template <typename Module>
const Module& load_module(const char* file, const char* symbol, int version, const char* tool) {
  using Entry = const Module* (*)();
  const Module* m = reinterpret_cast<Entry>(load_module_entry(file, symbol))();
  GANKIT_CHECK(m->version == version, Internal, "{} is version {}, {} needs {}: rebuild", file, m->version, tool,
               version);
  return *m;
}

}  // namespace gankit
