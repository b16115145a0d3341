#include "estimate.h"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>

namespace gankit {

namespace {

double t975(double dof) { return boost::math::quantile(boost::math::students_t(dof), 0.975); }

}  // namespace

Estimate estimate(std::span<const double> values) {
  Estimate e;
  e.n = static_cast<int>(values.size());
  if (e.n == 0) return e;
  double sum = 0;
  for (double v : values) sum += v;
  e.mean = sum / e.n;
  if (e.n < 2) return e;
  double ss = 0;
  for (double v : values) ss += (v - e.mean) * (v - e.mean);
  e.sd = std::sqrt(ss / (e.n - 1));
  e.half_width = t975(e.n - 1) * e.sd / std::sqrt(static_cast<double>(e.n));
  return e;
}

bool within_noise(const Estimate& a, const Estimate& b) {
  if (a.n < 2 || b.n < 2) return false;
  const double va = a.sd * a.sd / a.n, vb = b.sd * b.sd / b.n;
  const double diff = std::abs(a.mean - b.mean);
  if (va + vb == 0) return diff == 0;
  const double dof = (va + vb) * (va + vb) / (va * va / (a.n - 1) + vb * vb / (b.n - 1));
  return diff <= t975(dof) * std::sqrt(va + vb);
}

}  // namespace gankit
