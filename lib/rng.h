// Seed derivation: every random stream of a run comes from the one user seed (--seed).
//
// derive_seed(seed, stream, index) gives an independent 64-bit seed for draw `index` of stream
// `stream` (SplitMix64 finaliser, Steele et al. 2014). A stream that is re-seeded per step or per
// epoch this way needs no saved state: resuming at step k draws exactly what an uninterrupted run
// draws at step k.
#pragma once

#include <cstdint>

namespace gankit {

constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr uint64_t derive_seed(uint64_t seed, uint64_t stream, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

}  // namespace gankit
