#include "kid.h"

#include <cblas.h>

#include <cmath>

#include "error.h"
#include "numpy_rng.h"

namespace gankit {

namespace {

FeatureMatrix gather(const FeatureMatrix& f, const int64_t* idx, int64_t m) {
  FeatureMatrix out(m, f.dim);
  for (int64_t i = 0; i < m; ++i) std::copy(f.row(idx[i]), f.row(idx[i]) + f.dim, out.row(i));
  return out;
}

double cubic(float dot, double inv_d) {
  const double v = static_cast<double>(dot) * inv_d + 1.0;
  return v * v * v;
}

// Sum over i != j of k(x_i, x_j): the upper triangle of the Gram matrix, twice.
double off_diagonal_sum(const FeatureMatrix& x, std::vector<float>& gram) {
  const int m = static_cast<int>(x.rows), d = static_cast<int>(x.dim);
  cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, m, d, 1.0f, x.data.data(), d, 0.0f, gram.data(), m);
  const double inv_d = 1.0 / d;
  double s = 0;
  for (int i = 0; i < m; ++i)
    for (int j = i + 1; j < m; ++j) s += cubic(gram[static_cast<size_t>(i) * m + j], inv_d);
  return 2.0 * s;
}

double cross_sum(const FeatureMatrix& x, const FeatureMatrix& y, std::vector<float>& gram) {
  const int m = static_cast<int>(x.rows), d = static_cast<int>(x.dim);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, d, 1.0f, x.data.data(), d, y.data.data(), d, 0.0f,
              gram.data(), m);
  const double inv_d = 1.0 / d;
  double s = 0;
  for (const float g : gram) s += cubic(g, inv_d);
  return s;
}

}  // namespace

KidResult kernel_distance(const FeatureMatrix& real, const FeatureMatrix& fake, const KidOptions& o) {
  GANKIT_CHECK_USAGE(o.subsets >= 1, "KID: {} subsets: must be positive", o.subsets);
  GANKIT_CHECK_USAGE(o.subset_size >= 2, "KID: subsets of {}: must be at least 2", o.subset_size);
  GANKIT_CHECK_DATA(real.dim == fake.dim,
                    "the feature sets have {} and {} dimensions: they come from different "
                    "backbones",
                    real.dim, fake.dim);
  const int64_t smaller = std::min(real.rows, fake.rows);
  GANKIT_CHECK_USAGE(smaller >= o.subset_size,
                     "KID subsets of {} need at least {} images in each set, but the {} set has {}", o.subset_size,
                     o.subset_size, real.rows <= fake.rows ? "real" : "fake", smaller);
  const int64_t m = o.subset_size;
  // All draws first, in torch-fidelity's order (fake subset, then real subset, per subset).
  NumpyLegacyRng rng(o.seed);
  std::vector<std::vector<int64_t>> draws;
  for (int s = 0; s < o.subsets; ++s) {
    draws.push_back(rng.permutation(fake.rows));
    draws.back().resize(static_cast<size_t>(m));
    draws.push_back(rng.permutation(real.rows));
    draws.back().resize(static_cast<size_t>(m));
  }
  KidResult r;
  r.values.assign(static_cast<size_t>(o.subsets), 0.0);
#pragma omp parallel
  {
    std::vector<float> gram(static_cast<size_t>(m * m));
#pragma omp for schedule(dynamic, 1)
    for (int s = 0; s < o.subsets; ++s) {
      const FeatureMatrix x = gather(fake, draws[static_cast<size_t>(2 * s)].data(), m);
      const FeatureMatrix y = gather(real, draws[static_cast<size_t>(2 * s + 1)].data(), m);
      const double md = static_cast<double>(m);
      r.values[static_cast<size_t>(s)] = (off_diagonal_sum(x, gram) + off_diagonal_sum(y, gram)) / (md * (md - 1)) -
                                         2.0 * cross_sum(x, y, gram) / (md * md);
    }
  }
  for (const double v : r.values) r.mean += v;
  r.mean /= o.subsets;
  for (const double v : r.values) r.std += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(r.std / o.subsets);
  return r;
}

}  // namespace gankit
