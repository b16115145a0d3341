// Sorting float32 arrays fast: LSD radix sort on order-preserving 32-bit keys (3 passes of
// 11 bits), several times std::sort at the half-million-element columns SWD sorts by the
// thousand. NaNs sort to the ends; -0.0 sorts before +0.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace gankit {

// The order-preserving key of a float and back: key(a) < key(b) exactly when a < b.
inline uint32_t float_to_key(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}
inline float key_to_float(uint32_t key) {
  const uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Sorted keys of data[0..n): returns a pointer into `scratch` (resized to 2n) holding them.
// Three scatter passes after one histogram pass; `data` is left unchanged.
const uint32_t* radix_sort_keys(const float* data, size_t n, std::vector<uint32_t>& scratch);

// Sorts data[0..n) ascending in place.
void radix_sort(float* data, size_t n, std::vector<uint32_t>& scratch);

}  // namespace gankit
