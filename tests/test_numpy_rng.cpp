// numpy's legacy RandomState stream (eval/numpy_rng.h), bit for bit against values printed by numpy.
#include <gtest/gtest.h>

#include "numpy_rng.h"

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

TEST(NumpyLegacyRng, PermutationMatchesNumpy) {
  // np.random.RandomState(2020).permutation(10), then .choice(7, 3, replace=False) (numpy 1.24).
  NumpyLegacyRng rng(2020);
  EXPECT_EQ(rng.permutation(10), (std::vector<int64_t>{2, 4, 9, 1, 5, 7, 6, 3, 8, 0}));
  std::vector<int64_t> choice = rng.permutation(7);
  choice.resize(3);
  EXPECT_EQ(choice, (std::vector<int64_t>{4, 3, 1}));
}

}  // namespace
}  // namespace gankit
