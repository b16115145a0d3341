// Repeated measurements (eval/estimate.h): the mean's 95% Student-t interval and Welch's test, against golden
// values from the Student-t quantiles.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "estimate.h"

namespace gankit {
namespace {

TEST(Estimate, MeanAndStudentTInterval) {
  const std::vector<double> v = {1, 2, 3};
  const Estimate e = estimate(v);
  EXPECT_EQ(e.n, 3);
  EXPECT_DOUBLE_EQ(e.mean, 2);
  EXPECT_DOUBLE_EQ(e.sd, 1);
  // t(0.975, 2 dof) from scipy.stats.t.ppf; Boost.Math agrees to ~4e-11.
  EXPECT_NEAR(e.half_width, 4.302652729911275 / std::sqrt(3.0), 1e-9);
  const std::vector<double> one = {5};
  EXPECT_EQ(estimate(one).half_width, 0);
  EXPECT_EQ(estimate(one).mean, 5);
}

TEST(Estimate, WelchTellsDifferencesFromNoise) {
  const std::vector<double> a = {1, 2, 3}, b = {4, 5, 6}, c = {2, 3, 4}, d = {7};
  // a vs b: difference 3, standard error sqrt(2/3), 4 dof: t = 2.776445 -> bound 2.2670 < 3.
  EXPECT_FALSE(within_noise(estimate(a), estimate(b)));
  EXPECT_TRUE(within_noise(estimate(a), estimate(c)));   // difference 1 < 2.2670
  EXPECT_FALSE(within_noise(estimate(a), estimate(d)));  // one draw: nothing can be said
  const std::vector<double> same = {2, 2}, other = {2, 2};
  EXPECT_TRUE(within_noise(estimate(same), estimate(other)));
}

}  // namespace
}  // namespace gankit
