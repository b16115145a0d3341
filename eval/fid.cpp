#include "fid.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "error.h"

// LAPACK's symmetric eigensolver, from OpenBLAS (which bundles LAPACK); the trailing arguments
// are the lengths of the two character arguments, as gfortran passes them.
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);

namespace gankit {

namespace {

constexpr int64_t kBlockRows = 512;

// Eigenvalues (ascending) of the symmetric n x n matrix `a`; with `vectors`, `a` is replaced by
// the eigenvectors (column j of the column-major result = eigenvector j).
std::vector<double> symmetric_eigen(std::vector<double>& a, int n, bool vectors) {
  std::vector<double> w(static_cast<size_t>(n));
  const char jobz = vectors ? 'V' : 'N', uplo = 'U';
  int lwork = -1, liwork = -1, info = 0, iwork_size = 0;
  double work_size = 0;
  dsyevd_(&jobz, &uplo, &n, a.data(), &n, w.data(), &work_size, &lwork, &iwork_size, &liwork, &info, 1, 1);
  lwork = static_cast<int>(work_size) + 1;
  liwork = iwork_size;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(std::max(liwork, 1)));
  dsyevd_(&jobz, &uplo, &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  GANKIT_CHECK(info == 0, Internal, "the eigendecomposition of a {}x{} covariance failed (LAPACK dsyevd info {})", n, n,
               info);
  return w;
}

}  // namespace

FeatureMoments feature_moments(const FeatureMatrix& f) {
  GANKIT_CHECK_DATA(f.rows >= 2, "a covariance needs at least 2 feature vectors, not {}", f.rows);
  const int64_t n = f.rows, d = f.dim;
  FeatureMoments m;
  m.count = n;
  m.dim = d;
  m.mean.assign(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const float* r = f.row(i);
    for (int64_t j = 0; j < d; ++j) m.mean[static_cast<size_t>(j)] += r[j];
  }
  for (double& v : m.mean) v /= static_cast<double>(n);
  m.cov.assign(static_cast<size_t>(d * d), 0.0);
  std::vector<double> block(static_cast<size_t>(kBlockRows * d));
  for (int64_t start = 0; start < n; start += kBlockRows) {
    const int64_t b = std::min(kBlockRows, n - start);
    for (int64_t i = 0; i < b; ++i) {
      const float* r = f.row(start + i);
      double* out = block.data() + i * d;
      for (int64_t j = 0; j < d; ++j) out[j] = static_cast<double>(r[j]) - m.mean[static_cast<size_t>(j)];
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<int>(d), static_cast<int>(b), 1.0, block.data(),
                static_cast<int>(d), 1.0, m.cov.data(), static_cast<int>(d));
  }
  const double scale = 1.0 / static_cast<double>(n - 1);
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = i; j < d; ++j) {
      const double v = m.cov[static_cast<size_t>(i * d + j)] * scale;
      m.cov[static_cast<size_t>(i * d + j)] = m.cov[static_cast<size_t>(j * d + i)] = v;
    }
  return m;
}

FrechetTerms frechet_distance(const FeatureMoments& a, const FeatureMoments& b) {
  GANKIT_CHECK_DATA(a.dim == b.dim, "the feature sets have {} and {} dimensions: they come from different backbones",
                    a.dim, b.dim);
  const int d = static_cast<int>(a.dim);
  FrechetTerms t;
  for (int j = 0; j < d; ++j) {
    const double diff = a.mean[static_cast<size_t>(j)] - b.mean[static_cast<size_t>(j)];
    t.mean_term += diff * diff;
  }
  double trace = 0;
  for (int j = 0; j < d; ++j) trace += a.cov[static_cast<size_t>(j * d + j)] + b.cov[static_cast<size_t>(j * d + j)];
  // S1 = V diag(w) V^T = A A^T with A = V diag(sqrt(w)). Rounding makes the zero eigenvalues
  // of a rank-deficient S1 (fewer images than dimensions) tiny numbers of either sign: negative
  // ones are 0. (Their square roots, like those of M's, are rounding noise that enters every
  // implementation; it limits FID with N <= D to ~1e-7 relative. Cutting them off at a noise
  // floor is no better: a null direction of S1 still meets S2's large eigenvalues.)
  std::vector<double> v = a.cov;
  const std::vector<double> w = symmetric_eigen(v, d, true);
  for (int j = 0; j < d; ++j) {
    const double s = std::sqrt(std::max(w[static_cast<size_t>(j)], 0.0));
    cblas_dscal(d, s, v.data() + static_cast<size_t>(j) * d, 1);  // column j (column-major)
  }
  // M = A^T S2 A (A column-major = A^T row-major; S2 symmetric).
  std::vector<double> s2a(static_cast<size_t>(d) * d), m(static_cast<size_t>(d) * d);
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, b.cov.data(), d, v.data(), d, 0.0, s2a.data(),
              d);
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, d, d, d, 1.0, v.data(), d, s2a.data(), d, 0.0, m.data(), d);
  for (int i = 0; i < d; ++i)
    for (int j = i + 1; j < d; ++j) {
      const double s = 0.5 * (m[static_cast<size_t>(i) * d + j] + m[static_cast<size_t>(j) * d + i]);
      m[static_cast<size_t>(i) * d + j] = m[static_cast<size_t>(j) * d + i] = s;
    }
  double trace_sqrt = 0;
  for (const double l : symmetric_eigen(m, d, false)) trace_sqrt += std::sqrt(std::max(l, 0.0));
  t.trace_term = trace - 2.0 * trace_sqrt;
  return t;
}

}  // namespace gankit
