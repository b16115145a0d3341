// The 1-D Wasserstein-1 distance between two samples of equal size n, the inner step of SWD:
//   sum_i |sort(a)_i - sort(b)_i|  =  n * integral |F_a(t) - F_b(t)| dt
// (F_a, F_b the empirical CDFs), computed exactly without sorting either sample.
//
// How: values go into buckets [j, j+1) * 2^-s, about one per 4 values over [min, max] (one
// counting pass; x * 2^s and its truncation are exact in float, so the bucket edges are exact).
// Over a bucket where one CDF stays above the other whatever the order inside it (the other's
// count at the bucket's top is at most this one's at its bottom), the integral of |F_a - F_b|
// is linear in the bucket's values, so those values are only summed (a second pass). Only the
// values of the remaining "crossing" buckets are gathered and sorted, a few at a time.
// Projections of two image sets cross in 5-15 % of the values: 3.4x faster than radix-sorting
// both samples at n = 524288 (1.7 against 5.8 ns per value on the development machine).
// Identical samples cross everywhere and cost about a sort.
// Sums are in double; the result equals the sorted-difference sum up to double rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gankit {

class Wasserstein1d {
 public:
  // sum_i |sort(a)_i - sort(b)_i| over a[0..n), b[0..n). Values must be finite.
  // Reuses this object's scratch memory (about 3n bytes, plus 4 bytes per crossing value).
  double sorted_abs_diff_sum(const float* a, const float* b, size_t n);
  // The same, given lo = min and hi = max over both samples (e.g. gathered while the values
  // were computed and still in cache: one pass over memory fewer).
  double sorted_abs_diff_sum(const float* a, const float* b, size_t n, float lo, float hi);
  // Widens [lo, hi] to hold v[0..n).
  static void range(const float* v, size_t n, float& lo, float& hi);
  // Copies src[0..n) to dst and widens [lo, hi] to hold it, in one pass. dst is written with
  // non-temporal stores where aligned: it is read much later, after megabytes of other work,
  // and bypassing the cache spares reading each destination line before overwriting it.
  static void copy_range(const float* src, float* dst, size_t n, float& lo, float& hi);

 private:
  struct Buckets;  // exact power-of-two buckets over [lo, hi] (wasserstein_1d.cpp)
  // The steps of sorted_abs_diff_sum, in order: the sum of the buckets where one CDF stays on top
  // (classify, then own_terms of each sample), then the crossing buckets' steps added to it.
  void count(const float* a, const float* b, size_t n, const Buckets& bk);
  double classify(const Buckets& bk);
  double own_terms(const float* v, size_t n, const Buckets& bk, std::vector<uint32_t>& starts,
                   std::vector<uint32_t>& cross);
  double crossing_terms(const Buckets& bk, double sum);

  std::vector<uint32_t> count_a_, count_b_;
  std::vector<int8_t> side_;                 // per bucket: +1 F_a >= F_b throughout, -1 the reverse, 0 crossing
  std::vector<uint32_t> start_a_, start_b_;  // crossing buckets: where their values go in cross_a_/b_
  std::vector<uint32_t> cross_a_, cross_b_;  // order-preserving keys of crossing buckets' values
  std::vector<uint32_t> merge_a_, merge_b_;  // one bucket's sorted keys and a sentinel
};

}  // namespace gankit
