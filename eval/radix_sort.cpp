#include "radix_sort.h"

#include <cstring>

namespace gankit {

namespace {
inline uint32_t to_key(uint32_t bits) { return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u); }
inline uint32_t from_key(uint32_t key) { return (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key; }
}  // namespace

void radix_sort(float* data, size_t n, std::vector<uint32_t>& scratch) {
  if (n < 2) return;
  scratch.resize(2 * n);
  uint32_t* a = scratch.data();
  uint32_t* b = scratch.data() + n;
  constexpr int kBits = 11, kBuckets = 1 << kBits;
  uint32_t hist[3][kBuckets];
  std::memset(hist, 0, sizeof(hist));
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, data + i, 4);
    const uint32_t k = to_key(bits);
    a[i] = k;
    ++hist[0][k & (kBuckets - 1)];
    ++hist[1][(k >> kBits) & (kBuckets - 1)];
    ++hist[2][k >> (2 * kBits)];
  }
  for (int pass = 0; pass < 3; ++pass) {
    uint32_t sum = 0;
    for (int i = 0; i < kBuckets; ++i) {
      const uint32_t c = hist[pass][i];
      hist[pass][i] = sum;
      sum += c;
    }
    const int shift = pass * kBits;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t k = a[i];
      b[hist[pass][(k >> shift) & (kBuckets - 1)]++] = k;
    }
    std::swap(a, b);
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t bits = from_key(a[i]);
    std::memcpy(data + i, &bits, 4);
  }
}

}  // namespace gankit
