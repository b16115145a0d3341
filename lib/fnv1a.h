// FNV-1a, 64 bits: the short content hash of gankit's fingerprints (dataset levels, image sets,
// backbone files). Not cryptographic: it tells files and sets apart, it does not authenticate.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gankit {

constexpr uint64_t kFnv1aBasis = 1469598103934665603ull;

// Continues hash `h` over `n` bytes (start with kFnv1aBasis).
inline uint64_t fnv1a(uint64_t h, const void* bytes, size_t n) {
  const auto* p = static_cast<const uint8_t*>(bytes);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace gankit
