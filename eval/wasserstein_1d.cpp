#include "wasserstein_1d.h"

#if defined(__SSE2__)
#include <emmintrin.h>  // part of every x86-64 CPU
#endif

#include <algorithm>
#include <boost/sort/pdqsort/pdqsort.hpp>
#include <cmath>
#include <cstring>

namespace gankit {

namespace {

// Order-preserving key of a float: key(a) < key(b) exactly when a < b.
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

// Widens [lo, hi] to hold v[0..n); with kCopy also copies v to dst, with non-temporal stores
// where dst is 16-byte aligned. (The compiler does not vectorise a float min/max reduction by
// itself: it has to keep NaN semantics.)
template <bool kCopy>
void scan(const float* v, size_t n, float& lo, float& hi, float* dst = nullptr) {
  size_t i = 0;
#if defined(__SSE2__)
  auto one = [&](size_t k) {
    lo = std::min(lo, v[k]);
    hi = std::max(hi, v[k]);
    if constexpr (kCopy) dst[k] = v[k];
  };
  if constexpr (kCopy)
    for (; i < n && reinterpret_cast<uintptr_t>(dst + i) % 16 != 0; ++i) one(i);
  __m128 l = _mm_set1_ps(lo), h = _mm_set1_ps(hi);
  for (; i + 4 <= n; i += 4) {
    const __m128 x = _mm_loadu_ps(v + i);
    l = _mm_min_ps(l, x);
    h = _mm_max_ps(h, x);
    if constexpr (kCopy) _mm_stream_ps(dst + i, x);
  }
  if constexpr (kCopy) _mm_sfence();  // the streamed stores are visible before another thread reads them
  float ls[4], hs[4];
  _mm_storeu_ps(ls, l);
  _mm_storeu_ps(hs, h);
  for (int k = 0; k < 4; ++k) {
    lo = std::min(lo, ls[k]);
    hi = std::max(hi, hs[k]);
  }
  for (; i < n; ++i) one(i);
#else
  for (; i < n; ++i) {
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
    if constexpr (kCopy) dst[i] = v[i];
  }
#endif
}

// Ascending order; insertion sort for the few values a bucket usually holds. Large buckets go to
// pattern-defeating quicksort: they are often a few values repeated many times (flat image regions
// project to one value in every image), which it sorts in linear time per distinct value where
// introsort spends n log n comparisons (SWD on a Fashion-MNIST generator's pair: sorting from 6.5 %
// of the time to 2 %).
void small_sort(uint32_t* begin, uint32_t* end) {
  if (end - begin > 24) {
    boost::sort::pdqsort(begin, end);
    return;
  }
  for (uint32_t* i = begin + 1; i < end; ++i) {
    const uint32_t v = *i;
    uint32_t* j = i;
    for (; j > begin && *(j - 1) > v; --j) *j = *(j - 1);
    *j = v;
  }
}

// Buckets per value, about: fewer buckets cost less to count and scan but cross more often.
constexpr size_t kValuesPerBucket = 4;
constexpr size_t kChunk = 1024;  // values whose bucket indices are computed at once

}  // namespace

double Wasserstein1d::sorted_abs_diff_sum(const float* a, const float* b, size_t n) {
  if (n == 0) return 0;
  float lo = a[0], hi = a[0];
  scan<false>(a, n, lo, hi);
  scan<false>(b, n, lo, hi);
  return sorted_abs_diff_sum(a, b, n, lo, hi);
}

void Wasserstein1d::range(const float* v, size_t n, float& lo, float& hi) { scan<false>(v, n, lo, hi); }

void Wasserstein1d::copy_range(const float* src, float* dst, size_t n, float& lo, float& hi) {
  scan<true>(src, n, lo, hi, dst);
}

// Buckets are the integer parts of x * 2^s: multiplying by a power of two and truncating are
// exact in float, so bucket j holds exactly the values of [j, j+1) * 2^-s (j > 0),
// (j-1, j] * 2^-s (j < 0) or (-1, 1) * 2^-s (j = 0), and the edges below are exact.
struct Wasserstein1d::Buckets {
  float scale;    // 2^s
  int32_t first;  // trunc(lo * 2^s): index 0 of our arrays
  double step;    // 2^-s
  size_t count;   // buckets over [lo, hi]

  // The largest s with (hi - lo) * 2^s <= n / kValuesPerBucket, and |x| * 2^s < 2^30 so that
  // the truncation fits an int32 (values far from 0 relative to their spread get fewer, wider
  // buckets: still exact, only slower).
  static Buckets covering(float lo, float hi, size_t n) {
    const double target = static_cast<double>(std::max<size_t>(1, n / kValuesPerBucket));
    int s = static_cast<int>(std::floor(std::log2(target / (static_cast<double>(hi) - lo))));
    const double magnitude = std::max(std::fabs(static_cast<double>(lo)), std::fabs(static_cast<double>(hi)));
    s = std::min(s, static_cast<int>(std::floor(std::log2(std::ldexp(1.0, 30) / magnitude))) - 1);
    s = std::clamp(s, -120, 120);  // 2^s stays a normal float
    Buckets bk{std::ldexp(1.0f, s), 0, std::ldexp(1.0, -s), 0};
    bk.first = static_cast<int32_t>(lo * bk.scale);
    bk.count = static_cast<size_t>(static_cast<int32_t>(hi * bk.scale) - bk.first) + 1;
    return bk;
  }
  // Index of x's bucket in our arrays; monotone in x. Computed for a chunk at a time so that
  // the compiler vectorises the conversions.
  void indices(const float* x, size_t n, uint32_t* out) const {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint32_t>(static_cast<int32_t>(x[i] * scale) - first);
  }
  double lower(size_t k) const {
    const int64_t j = first + static_cast<int64_t>(k);
    return static_cast<double>(j > 0 ? j : j - 1) * step;
  }
  double upper(size_t k) const {
    const int64_t j = first + static_cast<int64_t>(k);
    return static_cast<double>(j >= 0 ? j + 1 : j) * step;
  }
};

double Wasserstein1d::sorted_abs_diff_sum(const float* a, const float* b, size_t n, float lo, float hi) {
  if (n == 0) return 0;
  if (!(lo < hi)) return 0;  // every value equal
  const Buckets bk = Buckets::covering(lo, hi, n);
  count(a, b, n, bk);
  double sum = classify(bk);
  sum -= own_terms(a, n, bk, start_a_, cross_a_);
  sum += own_terms(b, n, bk, start_b_, cross_b_);
  return crossing_terms(bk, sum);
}

// Pass 1: each sample's values counted per bucket.
void Wasserstein1d::count(const float* a, const float* b, size_t n, const Buckets& bk) {
  count_a_.assign(bk.count, 0);
  count_b_.assign(bk.count, 0);
  uint32_t idx[kChunk];
  auto one = [&](const float* v, std::vector<uint32_t>& counts) {
    for (size_t i0 = 0; i0 < n; i0 += kChunk) {
      const size_t m = std::min(kChunk, n - i0);
      bk.indices(v + i0, m, idx);
      for (size_t i = 0; i < m; ++i) ++counts[idx[i]];
    }
  };
  one(a, count_a_);
  one(b, count_b_);
}

// Buckets where one CDF stays on top: the integral of (F_top - F_other) over the bucket is
//   (top_k - other_k) * (upper - lower) + sum over the bucket's values of +-(upper - x)
// (top_k, other_k: counts below the bucket). The upper terms are returned here, -x comes from
// own_terms(). The other buckets cross: their values' places in cross_a_/b_ are laid out.
double Wasserstein1d::classify(const Buckets& bk) {
  side_.resize(bk.count);
  start_a_.resize(bk.count);
  start_b_.resize(bk.count);
  double sum = 0;
  int64_t below_a = 0, below_b = 0;
  uint32_t crossing_a = 0, crossing_b = 0;
  for (size_t k = 0; k < bk.count; ++k) {
    const int64_t ca = count_a_[k], cb = count_b_[k];
    int8_t side = 0;
    if (below_a >= below_b + cb)
      side = 1;
    else if (below_b >= below_a + ca)
      side = -1;
    side_[k] = side;
    if (side != 0) {
      const double upper = bk.upper(k);
      sum += side *
             (static_cast<double>(below_a - below_b) * (upper - bk.lower(k)) + static_cast<double>(ca - cb) * upper);
    } else {
      start_a_[k] = crossing_a;
      start_b_[k] = crossing_b;
      crossing_a += static_cast<uint32_t>(ca);
      crossing_b += static_cast<uint32_t>(cb);
    }
    below_a += ca;
    below_b += cb;
  }
  if (cross_a_.size() < crossing_a) cross_a_.resize(crossing_a);
  if (cross_b_.size() < crossing_b) cross_b_.resize(crossing_b);
  return sum;
}

// Pass 2 over one sample: the values' own terms (+-x), and the crossing buckets' values gathered
// in bucket order (4-byte keys: half the scattered bytes of one array of tagged keys).
// Without branches on the side: crossing values are 5-15 % of them, scattered, and a branch per
// value was mispredicted often enough to cost more than the rest of the pass. Each chunk's sides
// are looked up, the crossing values' offsets listed, the own terms summed; then the listed values
// are gathered.
double Wasserstein1d::own_terms(const float* v, size_t n, const Buckets& bk, std::vector<uint32_t>& starts,
                                std::vector<uint32_t>& cross) {
  // Four partial sums, value i into sum i % 4 (one sum would make each value wait on the previous
  // addition), then the last n % 4 values into the first. With SSE2 the four sums are the lanes of
  // two registers: the same additions in the same order.
  double own[4] = {0, 0, 0, 0};
#if defined(__SSE2__)
  __m128d own01 = _mm_setzero_pd(), own23 = _mm_setzero_pd();
#endif
  double tail[3];  // kChunk is a multiple of 4: the last n % 4 terms are all in the last chunk
  size_t tails = 0;
  alignas(16) uint32_t idx[kChunk];
  alignas(16) int32_t side[kChunk];
  uint32_t crossing[kChunk];
  for (size_t i0 = 0; i0 < n; i0 += kChunk) {
    const size_t m = std::min(kChunk, n - i0);
    const float* x = v + i0;
    bk.indices(x, m, idx);
    size_t listed = 0;
    for (size_t i = 0; i < m; ++i) {
      side[i] = side_[idx[i]];
      crossing[listed] = static_cast<uint32_t>(i);
      listed += side[i] == 0;
    }
    const size_t m4 = m / 4 * 4;
#if defined(__SSE2__)
    for (size_t i = 0; i < m4; i += 4) {
      const __m128 xs = _mm_loadu_ps(x + i);
      const __m128i ss = _mm_load_si128(reinterpret_cast<const __m128i*>(side + i));
      own01 = _mm_add_pd(own01, _mm_mul_pd(_mm_cvtps_pd(xs), _mm_cvtepi32_pd(ss)));
      own23 = _mm_add_pd(own23,
                         _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(xs, xs)), _mm_cvtepi32_pd(_mm_shuffle_epi32(ss, 0xEE))));
    }
#else
    for (size_t i = 0; i < m4; ++i) own[i % 4] += side[i] * static_cast<double>(x[i]);
#endif
    for (size_t i = m4; i < m; ++i) tail[tails++] = side[i] * static_cast<double>(x[i]);
    for (size_t k = 0; k < listed; ++k) {
      const uint32_t j = crossing[k];
      cross[starts[idx[j]]++] = float_to_key(x[j]);
    }
  }
#if defined(__SSE2__)
  _mm_storeu_pd(own, own01);
  _mm_storeu_pd(own + 2, own23);
#endif
  for (size_t t = 0; t < tails; ++t) own[0] += tail[t];
  return (own[0] + own[1]) + (own[2] + own[3]);
}

// Crossing buckets: sort each sample's values (a handful), then integrate |F_a - F_b| step by
// step in merged order, a before b on ties (the order of a sort of tagged keys; a tie's step has
// zero width, so any order gives the same sum). Added to `sum` step by step.
double Wasserstein1d::crossing_terms(const Buckets& bk, double sum) {
  int64_t below_a = 0, below_b = 0;
  for (size_t k = 0; k < bk.count; ++k) {
    const int64_t ca = count_a_[k], cb = count_b_[k];
    if (side_[k] == 0 && ca + cb > 0) {
      uint32_t* ea = cross_a_.data() + start_a_[k];  // own_terms() left the starts at the buckets' ends
      uint32_t* eb = cross_b_.data() + start_b_[k];
      uint32_t* pa = ea - ca;
      uint32_t* pb = eb - cb;
      small_sort(pa, ea);
      small_sort(pb, eb);
      // Copies ending in a sentinel above every key, so that the merge needs no bounds tests
      // and its choice is a conditional move: which sample is next is a coin flip where the CDFs
      // cross, and a branch on it would be mispredicted half the time.
      merge_a_.assign(pa, ea);
      merge_a_.push_back(~0u);
      merge_b_.assign(pb, eb);
      merge_b_.push_back(~0u);
      const uint32_t* qa = merge_a_.data();
      const uint32_t* qb = merge_b_.data();
      int64_t diff = below_a - below_b;
      double t = bk.lower(k);
      for (int64_t left = ca + cb; left > 0; --left) {
        const uint32_t va = *qa, vb = *qb;
        const bool from_a = va <= vb;
        const double x = key_to_float(from_a ? va : vb);
        sum += static_cast<double>(std::abs(diff)) * (x - t);
        t = x;
        qa += from_a;
        qb += !from_a;
        diff += 2 * static_cast<int64_t>(from_a) - 1;
      }
      sum += static_cast<double>(std::abs(diff)) * (bk.upper(k) - t);
    }
    below_a += ca;
    below_b += cb;
  }
  return sum;
}

}  // namespace gankit
