#include "prdc.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "error.h"

namespace gankit {

namespace {

constexpr int64_t kBlock = 256;      // rows per distance block
constexpr int kExtraCandidates = 8;  // kept beyond k + 1, re-ranked in float64

double exact_sq_distance(const float* a, const float* b, int64_t d) {
  double s = 0;
  for (int64_t j = 0; j < d; ++j) {
    const double t = static_cast<double>(a[j]) - static_cast<double>(b[j]);
    s += t * t;
  }
  return s;
}

std::vector<double> squared_norms(const FeatureMatrix& f) {
  std::vector<double> n(static_cast<size_t>(f.rows));
  for (int64_t i = 0; i < f.rows; ++i) {
    double s = 0;
    for (int64_t j = 0; j < f.dim; ++j) s += static_cast<double>(f.row(i)[j]) * f.row(i)[j];
    n[static_cast<size_t>(i)] = s;
  }
  return n;
}

// Bound on the error of |a|^2 + |b|^2 - 2 fl32(a.b) as a distance: D u (|a|^2 + |b|^2).
double rounding_bound(int64_t d) { return 1.01 * static_cast<double>(d) * std::ldexp(1.0, -24); }

// G = A[a0 .. a0+na) B[b0 ..)^T (na x (B.rows - b0)), float32, every core.
void gram_block(const FeatureMatrix& a, int64_t a0, int64_t na, const FeatureMatrix& b, int64_t b0,
                std::vector<float>& g) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(na), static_cast<int>(b.rows - b0),
              static_cast<int>(a.dim), 1.0f, a.row(a0), static_cast<int>(a.dim), b.row(b0), static_cast<int>(b.dim),
              0.0f, g.data(), static_cast<int>(b.rows - b0));
}

// Per row, the `keep` smallest approximate squared distances offered so far (ascending; a tie
// goes after the values already there) and their rows.
class Candidates {
 public:
  Candidates(int64_t n, int keep)
      : keep_(keep),
        d2_(static_cast<size_t>(n * keep), std::numeric_limits<double>::infinity()),
        idx_(static_cast<size_t>(n * keep), -1) {}
  void offer(int64_t row, double v, int64_t j) {
    double* d = d2_.data() + row * keep_;
    if (v >= d[keep_ - 1]) return;
    int64_t* ix = idx_.data() + row * keep_;
    int p = keep_ - 1;
    for (; p > 0 && d[p - 1] > v; --p) {
      d[p] = d[p - 1];
      ix[p] = ix[p - 1];
    }
    d[p] = v;
    ix[p] = j;
  }
  const int64_t* rows_of(int64_t row) const { return idx_.data() + row * keep_; }

 private:
  int keep_;
  std::vector<double> d2_;
  std::vector<int64_t> idx_;
};

// Squared radii: for every row, the (k+1)-th smallest squared distance within its own set, for
// each k in `ks` (float64, self included at 0). Distances are symmetric, so only the blocks on
// and right of the diagonal are computed: block row [s, s + b) against columns [s, n) offers
// each value to its row and, right of the block, to its column. Every row is offered its
// columns in ascending order, as one scan of a full row would.
std::vector<std::vector<double>> squared_radii(const FeatureMatrix& f, const std::vector<double>& norms,
                                               const std::vector<int>& ks) {
  const int keep =
      static_cast<int>(std::min<int64_t>(*std::max_element(ks.begin(), ks.end()) + 1 + kExtraCandidates, f.rows));
  const int64_t n = f.rows;
  Candidates best(n, keep);
  std::vector<float> g(static_cast<size_t>(std::min(kBlock, n) * n));
  constexpr int64_t kTile = 512;  // columns per task of the column pass
  for (int64_t s = 0; s < n; s += kBlock) {
    const int64_t b = std::min(kBlock, n - s), width = n - s;
    gram_block(f, s, b, f, s, g);
    auto d2 = [&](int64_t i, int64_t col) {  // col relative to s
      return norms[static_cast<size_t>(s + i)] + norms[static_cast<size_t>(s + col)] -
             2.0 * g[static_cast<size_t>(i * width + col)];
    };
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < b; ++i)
      for (int64_t col = 0; col < width; ++col) best.offer(s + i, d2(i, col), s + col);
    const int64_t tiles = (width - b + kTile - 1) / kTile;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t c0 = b + t * kTile, c1 = std::min(width, c0 + kTile);
      for (int64_t i = 0; i < b; ++i)
        for (int64_t col = c0; col < c1; ++col) best.offer(s + col, d2(i, col), s + i);
    }
  }
  std::vector<std::vector<double>> radii(ks.size(), std::vector<double>(static_cast<size_t>(n)));
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < n; ++row) {
    std::vector<double> exact;
    const int64_t* rows = best.rows_of(row);
    for (int q = 0; q < keep; ++q) exact.push_back(exact_sq_distance(f.row(row), f.row(rows[q]), f.dim));
    std::sort(exact.begin(), exact.end());
    for (size_t q = 0; q < ks.size(); ++q)
      radii[q][static_cast<size_t>(row)] = exact[static_cast<size_t>(std::min<int>(ks[q], keep - 1))];
  }
  return radii;
}

void check_count(const FeatureMatrix& f, int k, const char* set, const char* what) {
  GANKIT_CHECK_USAGE(f.rows > k,
                     "{} with k = {} needs at least {} images in each set (a point's k-th neighbour within its own "
                     "set), but the {} set has {}",
                     what, k, k + 1, set, f.rows);
}

}  // namespace

PrdcResult precision_recall_density_coverage(const FeatureMatrix& real, const FeatureMatrix& fake,
                                             const PrdcOptions& o) {
  GANKIT_CHECK_USAGE(o.k_pr >= 1 && o.k_dc >= 1, "PRDC: k = {} and {}: must be positive", o.k_pr, o.k_dc);
  GANKIT_CHECK_DATA(real.dim == fake.dim,
                    "the feature sets have {} and {} dimensions: they come from different backbones", real.dim,
                    fake.dim);
  for (const auto& [f, set] : {std::pair{&real, "real"}, std::pair{&fake, "fake"}}) {
    check_count(*f, o.k_pr, set, "precision/recall");
    check_count(*f, o.k_dc, set, "density/coverage");
  }
  const int64_t nr = real.rows, nf = fake.rows, d = real.dim;
  const std::vector<double> norm_r = squared_norms(real), norm_f = squared_norms(fake);
  const auto radii_r = squared_radii(real, norm_r, {o.k_pr, o.k_dc});
  const auto radii_f = squared_radii(fake, norm_f, {o.k_pr});
  const std::vector<double>&pr_r = radii_r[0], &dc_r = radii_r[1], &pr_f = radii_f[0];
  const double tol = rounding_bound(d);

  std::vector<char> recall(static_cast<size_t>(nr), 0), coverage(static_cast<size_t>(nr), 0);
  const int threads = omp_get_max_threads();
  std::vector<std::vector<char>> precision(static_cast<size_t>(threads), std::vector<char>(static_cast<size_t>(nf)));
  std::vector<std::vector<int32_t>> density(static_cast<size_t>(threads),
                                            std::vector<int32_t>(static_cast<size_t>(nf)));
  int64_t rechecked = 0;
  std::vector<float> g(static_cast<size_t>(std::min(kBlock, nr) * nf));
  for (int64_t start = 0; start < nr; start += kBlock) {
    const int64_t b = std::min(kBlock, nr - start);
    gram_block(real, start, b, fake, 0, g);
#pragma omp parallel for schedule(static) reduction(+ : rechecked)
    for (int64_t i = 0; i < b; ++i) {
      const size_t t = static_cast<size_t>(omp_get_thread_num());
      const int64_t r = start + i;
      const size_t ri = static_cast<size_t>(r);
      const float* gi = g.data() + i * nf;
      bool rec = false, cov = false;
      for (int64_t j = 0; j < nf; ++j) {
        const size_t fj = static_cast<size_t>(j);
        const double approx = norm_r[ri] + norm_f[fj] - 2.0 * gi[j];
        const double margin = tol * (norm_r[ri] + norm_f[fj]);
        double exact = -1;
        // d^2 < thr, decided on the float32 distance when it is clear, else in float64.
        auto below = [&](double thr) {
          if (approx < thr - margin) return true;
          if (approx > thr + margin) return false;
          if (exact < 0) {
            exact = exact_sq_distance(real.row(r), fake.row(j), d);
            ++rechecked;
          }
          return exact < thr;
        };
        if (below(pr_r[ri])) precision[t][fj] = 1;
        if (below(dc_r[ri])) {
          ++density[t][fj];
          cov = true;
        }
        if (!rec && below(pr_f[fj])) rec = true;
      }
      recall[ri] = rec;
      coverage[ri] = cov;
    }
  }
  PrdcResult out;
  out.rechecked = rechecked;
  int64_t precise = 0, dense = 0;
  for (int64_t j = 0; j < nf; ++j) {
    bool p = false;
    for (int t = 0; t < threads; ++t) {
      p = p || precision[static_cast<size_t>(t)][static_cast<size_t>(j)];
      dense += density[static_cast<size_t>(t)][static_cast<size_t>(j)];
    }
    precise += p;
  }
  int64_t recalled = 0, covered = 0;
  for (int64_t i = 0; i < nr; ++i) {
    recalled += recall[static_cast<size_t>(i)];
    covered += coverage[static_cast<size_t>(i)];
  }
  out.precision = static_cast<double>(precise) / static_cast<double>(nf);
  out.recall = static_cast<double>(recalled) / static_cast<double>(nr);
  out.density = static_cast<double>(dense) / (static_cast<double>(o.k_dc) * static_cast<double>(nf));
  out.coverage = static_cast<double>(covered) / static_cast<double>(nr);
  return out;
}

}  // namespace gankit
