// SWD: numpy's legacy stream bit for bit, the Laplacian pyramid against its definition, the
// golden values of docs/metrics.md ("Golden values"), exact cases, and batch/thread invariance.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <random>

#include "error.h"
#include "golden_images.h"
#include "laplacian.h"
#include "numpy_rng.h"
#include "swd.h"
#include "wasserstein_1d.h"

namespace gankit {
namespace {

TEST(NumpyLegacyRng, MatchesNumpyRandomState) {
  // Values printed by numpy 1.24 (Debian python3-numpy) after np.random.seed(1):
  // randint(3, 61, size=6), randint(3, 125, size=3), randn(3), randint(0, 2**32, size=2),
  // random_sample().
  NumpyLegacyRng rng(1);
  int64_t a[6], b[3], c[2];
  rng.randint(3, 61, a, 6);
  rng.randint(3, 125, b, 3);
  EXPECT_EQ(std::vector<int64_t>(a, a + 6), (std::vector<int64_t>{40, 46, 15, 11, 12, 14}));
  EXPECT_EQ(std::vector<int64_t>(b, b + 3), (std::vector<int64_t>{8, 82, 67}));
  double g[3];
  rng.randn(g, 3);
  EXPECT_DOUBLE_EQ(g[0], -1.1059350760083153);
  EXPECT_DOUBLE_EQ(g[1], -1.6545154524065693);  // the cached second value of the polar method
  EXPECT_DOUBLE_EQ(g[2], -2.363468604780012);
  rng.randint(0, int64_t(1) << 32, c, 2);  // the gauss cache survives integer draws
  EXPECT_EQ(c[0], 2942995346);
  EXPECT_EQ(c[1], 2252917204);
  EXPECT_DOUBLE_EQ(rng.random_sample(), 0.20445224973151743);
  NumpyLegacyRng big(4000000000u);
  int64_t d[4];
  big.randint(3, 13, d, 4);
  EXPECT_EQ(std::vector<int64_t>(d, d + 4), (std::vector<int64_t>{5, 8, 6, 4}));
  EXPECT_DOUBLE_EQ(big.gauss(), 1.0123115468808228);
}

// sum_i |sort(a)_i - sort(b)_i| by sorting both, in long double: what Wasserstein1d must equal.
double sorted_abs_diff_reference(std::vector<float> a, std::vector<float> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  long double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::fabs(static_cast<long double>(a[i]) - b[i]);
  return static_cast<double>(s);
}

TEST(Wasserstein1d, EqualsTheSortedDifferenceSumOnEveryKindOfSample) {
  std::mt19937 gen(3);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::uniform_int_distribution<int> small(-3, 3);
  auto normal = [&](size_t n, float mean, float sd) {
    std::vector<float> v(n);
    for (auto& x : v) x = mean + sd * nd(gen);
    return v;
  };
  struct Case {
    const char* name;
    std::vector<float> a, b;
  };
  std::vector<Case> cases;
  cases.push_back({"different distributions (few crossing buckets)", normal(100003, 0, 1), normal(100003, 0.2f, 1.3f)});
  cases.push_back({"one distribution, two samples (crossing everywhere)", normal(100003, 0, 1), normal(100003, 0, 1)});
  {
    auto a = normal(50000, 0, 1), b = normal(50000, 0.1f, 1);
    a[0] = 1e6f;  // an outlier stretches the buckets: the bulk lands in a few crowded ones
    b[1] = -3e5f;
    cases.push_back({"outliers", a, b});
  }
  {
    std::vector<float> a(30001), b(30001);
    for (auto& x : a) x = static_cast<float>(small(gen));
    for (auto& x : b) x = static_cast<float>(small(gen)) * 0.5f;
    a[0] = -0.0f;
    cases.push_back({"heavy ties", a, b});
  }
  cases.push_back({"constant vs spread", std::vector<float>(1000, 2.5f), normal(1000, 0, 1)});
  cases.push_back({"one value each", {1.5f}, {-2.0f}});
  cases.push_back({"two values each", {0.f, 1.f}, {1.f, 3.f}});
  Wasserstein1d w1;  // one object for all: its scratch grows and shrinks between calls
  for (const auto& c : cases) {
    const double expected = sorted_abs_diff_reference(c.a, c.b);
    const double got = w1.sorted_abs_diff_sum(c.a.data(), c.b.data(), c.a.size());
    EXPECT_NEAR(got, expected, 1e-12 * std::max(1.0, expected)) << c.name;
    // Symmetric in its arguments.
    EXPECT_NEAR(w1.sorted_abs_diff_sum(c.b.data(), c.a.data(), c.a.size()), expected, 1e-12 * std::max(1.0, expected))
        << c.name;
  }
  EXPECT_DOUBLE_EQ(sorted_abs_diff_reference({1.5f}, {-2.0f}), 3.5);
  EXPECT_DOUBLE_EQ(sorted_abs_diff_reference({0.f, 1.f}, {1.f, 3.f}), 3.0);
}

TEST(Wasserstein1d, ExactCases) {
  Wasserstein1d w1;
  std::mt19937 gen(5);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> a(20000);
  for (auto& x : a) x = nd(gen);
  // Identical samples, in another order: 0.
  std::vector<float> b = a;
  std::shuffle(b.begin(), b.end(), gen);
  EXPECT_EQ(w1.sorted_abs_diff_sum(a.data(), b.data(), a.size()), 0.0);
  // A shift by 0.25 keeps the order (float rounding of a + 0.25 is monotone), so the sum is that of
  // the element-wise differences: about n * 0.25.
  double shift = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    b[i] = a[i] + 0.25f;
    shift += static_cast<double>(b[i]) - a[i];
  }
  EXPECT_NEAR(shift, 0.25 * a.size(), 1e-3);
  EXPECT_NEAR(w1.sorted_abs_diff_sum(a.data(), b.data(), a.size()), shift, 1e-9);
  // Every value equal, and nothing at all.
  std::vector<float> c(100, 7.0f);
  EXPECT_EQ(w1.sorted_abs_diff_sum(c.data(), c.data(), c.size()), 0.0);
  EXPECT_EQ(w1.sorted_abs_diff_sum(nullptr, nullptr, 0), 0.0);
}

TEST(Laplacian, MatchesPyrDownPyrUpDefinitionAndReconstructs) {
  cv::Mat img(64, 64, CV_32FC3);
  cv::randu(img, 0, 255);
  auto pyr = laplacian_pyramid(img, 3);
  ASSERT_EQ(pyr.size(), 3u);
  EXPECT_EQ(pyr[1].rows, 32);
  EXPECT_EQ(pyr[2].rows, 16);
  cv::Mat g1, g2, up;
  cv::pyrDown(img, g1);
  cv::pyrDown(g1, g2);
  cv::pyrUp(g2, up, g1.size());
  EXPECT_EQ(cv::norm(pyr[1], g1 - up, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(pyr[2], g2, cv::NORM_INF), 0.0);  // coarsest: the Gaussian itself
  for (int k = 0; k < 3; ++k) EXPECT_EQ(cv::norm(laplacian_level(img, 3, k), pyr[k], cv::NORM_INF), 0.0);
  // The scratch form gives the same bits, also when one scratch serves several images and levels.
  LaplacianScratch scratch;
  for (int round = 0; round < 2; ++round)
    for (int k : {2, 0, 1}) {
      cv::Mat other(64, 64, CV_32FC3);
      cv::randu(other, 0, 255);
      EXPECT_EQ(cv::norm(laplacian_level(other, 3, k, scratch), laplacian_level(other, 3, k), cv::NORM_INF), 0.0);
      EXPECT_EQ(cv::norm(laplacian_level(img, 3, k, scratch), pyr[k], cv::NORM_INF), 0.0);
    }
  // Collapsing the pyramid gives the image back (up to float rounding).
  cv::Mat rec = pyr[2];
  for (int k = 1; k >= 0; --k) {
    cv::Mat u;
    cv::pyrUp(rec, u, pyr[k].size());
    rec = u + pyr[k];
  }
  EXPECT_LT(cv::norm(rec, img, cv::NORM_INF), 1e-3);
  // The binomial kernel, reflect-101: one bright pixel at the corner of a 16x16 image.
  cv::Mat dot = cv::Mat::zeros(16, 16, CV_32FC1);
  dot.at<float>(0, 0) = 256.f;
  cv::Mat d;
  cv::pyrDown(dot, d);
  EXPECT_FLOAT_EQ(d.at<float>(0, 0), 256.f * 6 * 6 / 256);
  EXPECT_FLOAT_EQ(d.at<float>(0, 1), 256.f * 6 * 1 / 256);
}

constexpr double kGoldenRelative = 1e-6;

SwdOptions quiet(uint32_t seed) {
  SwdOptions o;
  o.seed = seed;
  o.progress.quiet = true;
  return o;
}

void expect_golden(const SwdResult& r, const test::GoldenSwd& golden) {
  const std::vector<double>& levels = golden.levels;
  const double avg = golden.avg;
  ASSERT_EQ(r.swd.size(), levels.size());
  // Ours agree with the golden values to at most 4.0e-7 relative (2.2e-5 absolute) over the six
  // cases, about the 5-decimal rounding of the printed values; allow 1e-6 relative.
  for (size_t i = 0; i < levels.size(); ++i)
    EXPECT_NEAR(r.swd[i], levels[i], kGoldenRelative * levels[i]) << "level " << i;
  EXPECT_NEAR(r.average, avg, kGoldenRelative * avg);
}

TEST(SwdGolden, Size64RealVsFake) {
  auto real = test::golden_real(64, 64), fake = test::golden_fake(64, 64);
  auto r = sliced_wasserstein(real, fake, quiet(1));
  EXPECT_EQ(r.resolutions, (std::vector<int>{64, 32, 16}));
  expect_golden(r, test::kSwd64);
  expect_golden(sliced_wasserstein(real, fake, quiet(1000)), test::kSwd64Seed1000);
}

TEST(SwdGolden, Size64RealVsRealIsTheNoiseFloorNotZero) {
  auto real = test::golden_real(64, 64);
  expect_golden(sliced_wasserstein(real, real, quiet(1)), test::kSwd64RealVsReal);
}

TEST(SwdGolden, Size128) {
  auto real = test::golden_real(64, 128), fake = test::golden_fake(64, 128);
  auto r = sliced_wasserstein(real, fake, quiet(1));
  EXPECT_EQ(r.resolutions, (std::vector<int>{128, 64, 32, 16}));
  expect_golden(r, test::kSwd128);
  expect_golden(sliced_wasserstein(real, fake, quiet(1000)), test::kSwd128Seed1000);
  expect_golden(sliced_wasserstein(real, real, quiet(1)), test::kSwd128RealVsReal);
}

TEST(Swd, ConstantSetsHaveIdenticalDescriptorsAndGiveZero) {
  ImageBatch a(8, 3, 32, 32), b(8, 3, 32, 32);
  std::fill(a.data.begin(), a.data.end(), 17);
  std::fill(b.data.begin(), b.data.end(), 200);  // normalisation removes each set's own mean
  auto r = sliced_wasserstein(a, b, quiet(5));
  for (double v : r.swd) EXPECT_EQ(v, 0.0);
}

// Several descriptor blocks (300 images: 2 to 43 blocks per level by --batch) and 1, 2, 3 threads
// give the same bits: blocks and threads change where work happens, never the sums' order.
TEST(Swd, BitIdenticalAcrossBlocksAndThreadsOnSeveralBlocks) {
  auto real = test::golden_real(300, 64), fake = test::golden_fake(300, 64);
  const int threads = omp_get_max_threads();
  std::vector<double> first;
  for (int batch : {256, 64, 7}) {
    for (int t : {1, 2, 3}) {
      omp_set_num_threads(t);
      SwdOptions o = quiet(9);
      o.batch = batch;
      const SwdResult r = sliced_wasserstein(real, fake, o);
      if (first.empty()) first = r.swd;
      EXPECT_EQ(r.swd, first) << "batch " << batch << ", " << t << " threads";
    }
  }
  omp_set_num_threads(threads);
  EXPECT_EQ(first.size(), 3u);
}

TEST(Swd, IndependentOfBatchAndThreadCount) {
  auto real = test::golden_real(20, 32), fake = test::golden_fake(20, 32);
  SwdOptions o = quiet(3);
  const SwdResult base = sliced_wasserstein(real, fake, o);
  o.batch = 3;
  EXPECT_EQ(sliced_wasserstein(real, fake, o).swd, base.swd);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const SwdResult one = sliced_wasserstein(real, fake, o);
  omp_set_num_threads(threads);
  EXPECT_EQ(one.swd, base.swd);
  EXPECT_GT(base.average, 0.0);
}

TEST(Swd, RejectsMismatchedOrTooSmallSets) {
  auto a = test::golden_real(4, 32), b = test::golden_real(5, 32), c = test::golden_real(4, 16),
       d = test::golden_real(4, 8);
  auto msg = [](const ImageBatch& x, const ImageBatch& y) {
    try {
      sliced_wasserstein(x, y, quiet(1));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg(a, b).find("different counts: 4 real vs 5 fake"), std::string::npos);
  EXPECT_NE(msg(a, c).find("different sizes"), std::string::npos);
  EXPECT_NE(msg(d, d).find("at least 16x16"), std::string::npos);
  EXPECT_EQ(sliced_wasserstein(c, c, quiet(1)).resolutions, std::vector<int>{16});
}

}  // namespace
}  // namespace gankit
