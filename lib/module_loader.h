// Loading of gankit's LibTorch modules (libgankit_*_torch.so) with dlopen, on first use only.
//
// Linking LibTorch into a tool adds ~0.45 s to every start (loading and registering
// libtorch_cpu), so the tools that only sometimes need it keep their torch code in a module.
#pragma once

namespace gankit {

// The entry `symbol` of module `file`: looked for beside the executable, then on the library
// path; opened once per process (later calls return the same address). Throws Error(Internal)
// "cannot load the LibTorch module FILE: WHY" when the file or the symbol is missing.
void* load_module_entry(const char* file, const char* symbol);

}  // namespace gankit
