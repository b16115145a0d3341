// The 1-D Wasserstein step of SWD (eval/wasserstein_1d.h): equal to sorting both samples, on every kind
// of sample, and exact on hand-made cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "wasserstein_1d.h"

namespace gankit {
namespace {

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
  {
    // Flat image regions: one value repeated thousands of times in both samples, on a spread.
    auto a = normal(60000, 0, 1), b = normal(60000, 0.05f, 1);
    for (size_t i = 0; i < a.size(); i += 3) a[i] = -0.73f;
    for (size_t i = 1; i < b.size(); i += 4) b[i] = -0.73f;
    cases.push_back({"a repeated value in both on a spread", a, b});
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

}  // namespace
}  // namespace gankit
