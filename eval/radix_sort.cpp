#include "radix_sort.h"

namespace gankit {

const uint32_t* radix_sort_keys(const float* data, size_t n, std::vector<uint32_t>& scratch) {
  scratch.resize(2 * n);
  uint32_t* a = scratch.data();
  uint32_t* b = scratch.data() + n;
  constexpr int kBits = 11, kBuckets = 1 << kBits, kMask = kBuckets - 1;
  uint32_t hist[3][kBuckets] = {};
  for (size_t i = 0; i < n; ++i) {
    const uint32_t k = float_to_key(data[i]);
    ++hist[0][k & kMask];
    ++hist[1][(k >> kBits) & kMask];
    ++hist[2][k >> (2 * kBits)];
  }
  for (auto& h : hist) {
    uint32_t sum = 0;
    for (int i = 0; i < kBuckets; ++i) {
      const uint32_t c = h[i];
      h[i] = sum;
      sum += c;
    }
  }
  for (size_t i = 0; i < n; ++i) {  // pass 1 reads the floats directly
    const uint32_t k = float_to_key(data[i]);
    a[hist[0][k & kMask]++] = k;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t k = a[i];
    b[hist[1][(k >> kBits) & kMask]++] = k;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t k = b[i];
    a[hist[2][k >> (2 * kBits)]++] = k;
  }
  return a;
}

void radix_sort(float* data, size_t n, std::vector<uint32_t>& scratch) {
  if (n < 2) return;
  const uint32_t* keys = radix_sort_keys(data, n, scratch);
  for (size_t i = 0; i < n; ++i) data[i] = key_to_float(keys[i]);
}

}  // namespace gankit
