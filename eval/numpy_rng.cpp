#include "numpy_rng.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace gankit {

double NumpyLegacyRng::random_sample() {
  const uint32_t a = next_uint32() >> 5, b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyLegacyRng::gauss() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

int64_t NumpyLegacyRng::randint(int64_t lo, int64_t hi) {
  GANKIT_CHECK(hi > lo && hi - lo <= (int64_t(1) << 32), Internal, "randint({}, {}): empty or too wide range", lo, hi);
  const uint64_t rng = static_cast<uint64_t>(hi - lo - 1);
  if (rng == 0) return lo;
  if (rng == 0xffffffffULL) return lo + next_uint32();
  uint64_t mask = rng;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint64_t val;
  while ((val = (next_uint32() & mask)) > rng) {
  }
  return lo + static_cast<int64_t>(val);
}

void NumpyLegacyRng::randint(int64_t lo, int64_t hi, int64_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = randint(lo, hi);
}

std::vector<int64_t> NumpyLegacyRng::permutation(int64_t n) {
  std::vector<int64_t> out(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i >= 1; --i) {
    GANKIT_CHECK(i <= 0xffffffffLL, Internal, "permutation of {} items: beyond 32-bit draws", n);
    std::swap(out[static_cast<size_t>(i)], out[static_cast<size_t>(randint(0, i + 1))]);
  }
  return out;
}

void NumpyLegacyRng::randn(double* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = gauss();
}

}  // namespace gankit
