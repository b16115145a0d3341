// NumpyLegacyRng — numpy's legacy global random stream (np.random.seed / RandomState), bit for bit.
//
// MT19937 seeded with init_genrand(seed) (numpy's integer seeding); random_sample = 53-bit
// double from two draws ((a >> 5) * 2^26 + (b >> 6)) / 2^53; randint(lo, hi) = lo + a masked
// rejection draw of 32-bit outputs (range below 2^32); randn = the polar Box-Muller method
// that caches its second value between calls. This is the stream the official ProGAN metrics
// drew from, which is what makes `--rng numpy-legacy` reproduce their numbers.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace gankit {

class NumpyLegacyRng {
 public:
  explicit NumpyLegacyRng(uint32_t seed) : mt_(seed) {}

  uint32_t next_uint32() { return static_cast<uint32_t>(mt_()); }
  double random_sample();
  double gauss();
  // One draw of np.random.randint(lo, hi): uniform in [lo, hi), hi - lo <= 2^32.
  int64_t randint(int64_t lo, int64_t hi);
  // np.random.randint(lo, hi, size=n) and np.random.randn(n) (C order).
  void randint(int64_t lo, int64_t hi, int64_t* out, size_t n);
  void randn(double* out, size_t n);
  // np.random.permutation(n): the legacy Fisher-Yates shuffle of 0..n-1 (for i = n-1 .. 1, swap
  // i with a masked rejection draw in [0, i]). choice(n, k, replace=False) is its first k.
  std::vector<int64_t> permutation(int64_t n);

 private:
  std::mt19937 mt_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace gankit
