// FID, KID and precision/recall/density/coverage: hand-computed cases, agreement with the
// numpy/scipy reference ports in bench/reference_feature_metrics.py (run here with Debian's
// python3-numpy/scipy, which scripts/install-deps.sh installs), invariances, bad input.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <random>

#include "error.h"
#include "fid.h"
#include "image_io.h"
#include "kid.h"
#include "prdc.h"
#include "test_util.h"

namespace gankit {
namespace {

namespace fs = std::filesystem;
using test::error_of;

FeatureMatrix gaussian(int64_t n, int64_t d, uint32_t seed, double scale = 1.0, double shift = 0.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  FeatureMatrix f(n, d);
  // Correlated, anisotropic features: x_j = scale * (z_j + 0.5 z_{j-1}) * (1 + j / d) + shift.
  for (int64_t i = 0; i < n; ++i) {
    float prev = 0;
    for (int64_t j = 0; j < d; ++j) {
      const float z = g(rng);
      f.row(i)[j] = static_cast<float>(scale * (z + 0.5 * prev) * (1.0 + double(j) / d) + shift);
      prev = z;
    }
  }
  return f;
}

// Real image statistics: 8x8 RGB patches (192 dims) of scikit-image's astronaut photo, from the
// left or the right half (two close but different distributions).
FeatureMatrix photo_patches(int64_t n, bool right, uint32_t seed) {
  static const cv::Mat photo = read_image("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> y(0, photo.rows - 9), x(0, photo.cols / 2 - 9);
  FeatureMatrix f(n, 192);
  for (int64_t i = 0; i < n; ++i) {
    const int y0 = y(rng), x0 = x(rng) + (right ? photo.cols / 2 : 0);
    float* out = f.row(i);
    for (int dy = 0; dy < 8; ++dy)
      for (int dx = 0; dx < 8; ++dx)
        for (int c = 0; c < 3; ++c) *out++ = photo.at<cv::Vec3b>(y0 + dy, x0 + dx)[c];
  }
  return f;
}

void save_npy(const fs::path& path, const FeatureMatrix& f) {
  test::write_npy(path, "<f4", {f.rows, f.dim}, f.data.data(), f.data.size() * 4);
}

// The reference's answer for `what` on (real, fake).
nlohmann::json reference(const std::string& what, const FeatureMatrix& real, const FeatureMatrix& fake,
                         const std::string& extra = "") {
  test::TempDir dir;
  save_npy(dir / "real.npy", real);
  save_npy(dir / "fake.npy", fake);
  const auto r = test::run({"/usr/bin/python3", fmt::format("{}/bench/reference_feature_metrics.py", GANKIT_SOURCE_DIR),
                            what, dir / "real.npy", dir / "fake.npy", test::flags(extra)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

double fid(const FeatureMatrix& a, const FeatureMatrix& b) {
  return frechet_distance(feature_moments(a), feature_moments(b)).value();
}

TEST(Fid, HandComputed) {
  // 1-D: {0, 2} vs {1, 3}: means 1 and 2, variances 2 and 2: 1 + 2 + 2 - 2 sqrt(4) = 1.
  FeatureMatrix a(2, 1), b(2, 1);
  a.data = {0, 2};
  b.data = {1, 3};
  EXPECT_NEAR(fid(a, b), 1.0, 1e-12);
  // 2-D, diagonal covariances diag(2, 8) and diag(8, 2): Tr = 20, Tr sqrt = 4 + 4 -> 20 - 16 = 4.
  FeatureMatrix c(4, 2), e(4, 2);
  c.data = {1, 2, -1, -2, 1, -2, -1, 2};  // var x = 4/3, var y = 16/3
  e.data = {2, 1, -2, -1, 2, -1, -2, 1};  // var x = 16/3, var y = 4/3
  EXPECT_NEAR(fid(c, e), 4.0 / 3 + 16.0 / 3 + 16.0 / 3 + 4.0 / 3 - 2 * (8.0 / 3 + 8.0 / 3), 1e-12);
  EXPECT_NEAR(fid(c, c), 0.0, 1e-12);
}

TEST(Fid, MatchesScipySqrtmReference) {
  // pytorch-fid's formula (scipy.linalg.sqrtm of S1 S2) to 1e-6 relative; numpy's eigh form of
  // ours to 1e-9 at full rank, 1e-7 when N <= D (the null space's rounding noise, fid.cpp).
  struct Case {
    FeatureMatrix a, b;
    const char* what;
  };
  std::vector<Case> cases;
  cases.push_back({gaussian(600, 64, 1), gaussian(600, 64, 2, 1.2, 0.1), "full rank"});
  cases.push_back({gaussian(100, 256, 3), gaussian(120, 256, 4, 0.9), "rank-deficient (N < D)"});
  cases.push_back({photo_patches(1500, false, 5), photo_patches(1500, true, 6), "photo patches"});
  cases.push_back({photo_patches(150, false, 7), photo_patches(150, true, 8), "photo patches, N < D"});
  for (const Case& c : cases) {
    const double ours = fid(c.a, c.b);
    const double sqrtm = reference("fid", c.a, c.b)["fid"];
    const double eigh = reference("fid-eigh", c.a, c.b)["fid"];
    EXPECT_NEAR(ours, sqrtm, 1e-6 * std::abs(sqrtm)) << c.what;
    const double tol = c.a.rows <= c.a.dim ? 1e-7 : 1e-9;
    EXPECT_NEAR(ours, eigh, tol * std::abs(eigh)) << c.what;
  }
}

TEST(Fid, InvariantToRowOrderAndThreads) {
  const FeatureMatrix a = photo_patches(700, false, 11), b = photo_patches(500, true, 12);
  FeatureMatrix shuffled = a;
  std::vector<int64_t> order(static_cast<size_t>(a.rows));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  for (int64_t i = 0; i < a.rows; ++i) std::copy(a.row(order[i]), a.row(order[i]) + a.dim, shuffled.row(i));
  const double base = fid(a, b);
  EXPECT_NEAR(fid(shuffled, b), base, 1e-10 * base);
  const int threads = omp_get_max_threads();
  for (int t : {1, 2, 3}) {
    omp_set_num_threads(t);
    EXPECT_NEAR(fid(a, b), base, 1e-10 * base) << t << " threads";
  }
  omp_set_num_threads(threads);
}

TEST(Kid, HandComputedTinySubsets) {
  // m = 2, D = 1, all rows drawn: MMD^2 = [2k(x1,x2) + 2k(y1,y2)] / 2 - 2 sum k(x,y) / 4.
  FeatureMatrix real(2, 1), fake(2, 1);
  real.data = {1, 2};
  fake.data = {0, 3};
  auto k = [](double a, double b) { return std::pow(a * b + 1, 3); };
  const double expect = (2 * k(0, 3) + 2 * k(1, 2)) / 2 - 2 * (k(0, 1) + k(0, 2) + k(3, 1) + k(3, 2)) / 4;
  KidOptions o;
  o.subsets = 3;
  o.subset_size = 2;
  const KidResult r = kernel_distance(real, fake, o);
  EXPECT_NEAR(r.mean, expect, 1e-9 * std::abs(expect));
  EXPECT_NEAR(r.std, 0.0, 1e-9);  // every subset is the whole set
}

TEST(Kid, MatchesTorchFidelityDraws) {
  // Same subsets as torch-fidelity (RandomState(2020).choice, fake first): float64 kernels to
  // 1e-6 of our float32-dot, float64-sum values; its float32 kernels to 1e-4 (spec: ~1e-4).
  const FeatureMatrix real = photo_patches(1300, false, 21), fake = photo_patches(1200, true, 22);
  KidOptions o;
  o.subsets = 20;
  o.subset_size = 500;
  const KidResult ours = kernel_distance(real, fake, o);
  const std::string args = "--subsets 20 --subset-size 500 --seed 2020";
  const nlohmann::json ref64 = reference("kid64", real, fake, args), ref32 = reference("kid", real, fake, args);
  ASSERT_EQ(ref64["values"].size(), 20u);
  for (size_t s = 0; s < 20; ++s)
    EXPECT_NEAR(ours.values[s], ref64["values"][s].get<double>(), 1e-6 * std::abs(ours.mean)) << "subset " << s;
  EXPECT_NEAR(ours.mean, ref64["kid_mean"].get<double>(), 1e-6 * ours.mean);
  EXPECT_NEAR(ours.std, ref64["kid_std"].get<double>(), 1e-5 * ours.std);
  EXPECT_NEAR(ours.mean, ref32["kid_mean"].get<double>(), 1e-4 * ours.mean);
}

TEST(Kid, SeedChangesSubsetsThreadsDoNot) {
  const FeatureMatrix real = gaussian(400, 32, 31), fake = gaussian(400, 32, 32, 1.1);
  KidOptions o;
  o.subsets = 10;
  o.subset_size = 100;
  const KidResult base = kernel_distance(real, fake, o);
  const int threads = omp_get_max_threads();
  for (int t : {1, 2, 3}) {
    omp_set_num_threads(t);
    EXPECT_EQ(kernel_distance(real, fake, o).values, base.values) << t << " threads";
  }
  omp_set_num_threads(threads);
  o.seed = 7;
  EXPECT_NE(kernel_distance(real, fake, o).values, base.values);
}

TEST(Prdc, HandComputed) {
  // 1-D. Real {0, 1, 2, 10}, fake {0.5, 1.5, 20}, k = 1 for everything.
  // Real radii (nearest other real): 1, 1, 1, 8. Fake radii: 1, 1, 18.5.
  // precision: 0.5 (d 0.5 < 1), 1.5 (0.5 < 1), 20 (10 -> d 10 > 8): 2/3.
  // recall: real 0 (0.5 < r(0.5) = 1), 1, 2 yes; 10 (d to 20 is 10 < 18.5): 4/4.
  // density (k = 1): fake 0.5 is inside reals 0, 1 (d 0.5 < 1); 1.5 inside 1, 2: (2 + 2 + 0) / 3.
  // coverage: reals 0, 1, 2 have a fake closer than 1; real 10: nearest fake 1.5 (d 8.5 > 8) no: 3/4.
  FeatureMatrix real(4, 1), fake(3, 1);
  real.data = {0, 1, 2, 10};
  fake.data = {0.5f, 1.5f, 20};
  const PrdcResult r = precision_recall_density_coverage(real, fake, {1, 1});
  EXPECT_DOUBLE_EQ(r.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.recall, 1.0);
  EXPECT_DOUBLE_EQ(r.density, 4.0 / 3);
  EXPECT_DOUBLE_EQ(r.coverage, 0.75);
  // Strict comparisons: a fake exactly on a real's radius is outside it.
  FeatureMatrix edge(3, 1);
  edge.data = {1, 3, 100};  // d(real 0, fake 1) = 1 = r(0)
  EXPECT_DOUBLE_EQ(precision_recall_density_coverage(real, edge, {1, 1}).precision, 2.0 / 3);
}

TEST(Prdc, MatchesClovaaiDefinitionsExactly) {
  struct Case {
    FeatureMatrix a, b;
    int k_pr, k_dc;
    const char* what;
  };
  std::vector<Case> cases;
  cases.push_back({gaussian(700, 64, 41), gaussian(600, 64, 42, 1.1, 0.05), 3, 5, "gaussian"});
  cases.push_back({photo_patches(900, false, 43), photo_patches(800, true, 44), 3, 5, "photo patches"});
  cases.push_back({photo_patches(500, false, 45), photo_patches(500, false, 46), 5, 5, "clovaai's k = 5 for all"});
  // Duplicates (a repeated row is at distance 0) and a fake set with copies of reals.
  FeatureMatrix dup = photo_patches(300, false, 47), copies = photo_patches(300, true, 48);
  for (int64_t i = 0; i < 40; ++i) std::copy(dup.row(i), dup.row(i) + dup.dim, dup.row(i + 100));
  for (int64_t i = 0; i < 60; ++i) std::copy(dup.row(i), dup.row(i) + dup.dim, copies.row(i));
  cases.push_back({dup, copies, 3, 5, "duplicates and copies"});
  for (const Case& c : cases) {
    const PrdcResult ours = precision_recall_density_coverage(c.a, c.b, {c.k_pr, c.k_dc});
    const nlohmann::json ref = reference("prdc", c.a, c.b, fmt::format("--k-pr {} --k-dc {}", c.k_pr, c.k_dc));
    EXPECT_DOUBLE_EQ(ours.precision, ref["precision"].get<double>()) << c.what;
    EXPECT_DOUBLE_EQ(ours.recall, ref["recall"].get<double>()) << c.what;
    EXPECT_DOUBLE_EQ(ours.density, ref["density"].get<double>()) << c.what;
    EXPECT_DOUBLE_EQ(ours.coverage, ref["coverage"].get<double>()) << c.what;
    EXPECT_GT(ours.precision, 0.0) << c.what;
    EXPECT_LT(ours.precision, 1.0) << c.what;
  }
}

TEST(Prdc, InvariantToThreadsAndOrderAcrossBlocks) {
  // 700 x 600 spans several 256-row blocks.
  const FeatureMatrix real = photo_patches(700, false, 51), fake = photo_patches(600, true, 52);
  const PrdcResult base = precision_recall_density_coverage(real, fake, {});
  FeatureMatrix reversed(real.rows, real.dim);
  for (int64_t i = 0; i < real.rows; ++i)
    std::copy(real.row(i), real.row(i) + real.dim, reversed.row(real.rows - 1 - i));
  const PrdcResult rev = precision_recall_density_coverage(reversed, fake, {});
  EXPECT_EQ(rev.precision, base.precision);
  EXPECT_EQ(rev.recall, base.recall);
  EXPECT_EQ(rev.density, base.density);
  EXPECT_EQ(rev.coverage, base.coverage);
  const int threads = omp_get_max_threads();
  for (int t : {1, 2, 3}) {
    omp_set_num_threads(t);
    const PrdcResult r = precision_recall_density_coverage(real, fake, {});
    EXPECT_EQ(r.precision, base.precision) << t;
    EXPECT_EQ(r.recall, base.recall) << t;
    EXPECT_EQ(r.density, base.density) << t;
    EXPECT_EQ(r.coverage, base.coverage) << t;
  }
  omp_set_num_threads(threads);
}

TEST(FeatureMetrics, BadInputNamed) {
  const FeatureMatrix small = gaussian(5, 8, 61), big = gaussian(50, 8, 62), other = gaussian(50, 9, 63);
  EXPECT_EQ(error_of([&] {
              precision_recall_density_coverage(small, big, {3, 5});
            }),
            "density/coverage with k = 5 needs at least 6 images in each set (a point's k-th neighbour within its own "
            "set), but the real set has 5");
  KidOptions o;
  o.subset_size = 1000;
  EXPECT_EQ(error_of([&] { kernel_distance(big, big, o); }),
            "KID subsets of 1000 need at least 1000 images in each set, but the real set has 50");
  EXPECT_EQ(error_of([&] { fid(big, other); }),
            "the feature sets have 8 and 9 dimensions: they come from different backbones");
  FeatureMatrix nan = big;
  nan.row(7)[3] = std::nanf("");
  EXPECT_EQ(error_of([&] { check_finite(nan, "fake.h5"); }),
            "fake.h5: feature 3 of image 7 is nan (the backbone's output must be finite)");
}

}  // namespace
}  // namespace gankit
