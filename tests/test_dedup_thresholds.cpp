// --target-precision's estimate (datasets/dedup_thresholds.h) on hits whose truth is known.
#include <gtest/gtest.h>

#include <vector>

#include "dedup_thresholds.h"

namespace gankit {
namespace {

TEST(DedupThresholds, PoissonUpperLimitMatchesTheExactValues) {
  // Exact one-sided 95 % limits: 2.996 (0 events), 4.744 (1), 16.962 (10), 118.08 (100).
  EXPECT_NEAR(poisson_upper_95(0), 2.996, 0.05);
  EXPECT_NEAR(poisson_upper_95(1), 4.744, 0.02);
  EXPECT_NEAR(poisson_upper_95(10), 16.962, 0.02);
  EXPECT_NEAR(poisson_upper_95(100), 118.08, 0.05);
}

// Per image, `k` slots: its hits, then kNoHit (what choose_verification reads).
struct Hits {
  std::vector<PairDistance> slots;
  size_t k;
  Hits(const std::vector<std::vector<PairDistance>>& per_image, size_t k_) : k(k_) {
    for (const auto& h : per_image) {
      slots.insert(slots.end(), h.begin(), h.end());
      slots.insert(slots.end(), k - h.size(), kNoHit);
    }
  }
};
VerificationChoice choose(const std::vector<std::vector<PairDistance>>& hits, double target) {
  const Hits h(hits, 2);
  return choose_verification(h.slots, h.k, target);
}

// 900 copies at 1 degree and 0.5 grey levels; 300 distinct pairs at 4 degrees spread evenly
// over 0..9 grey levels (so 100 in the band (3, 6]); 100 images without hits.
std::vector<std::vector<PairDistance>> known_hits() {
  std::vector<std::vector<PairDistance>> hits(1300);
  for (int i = 0; i < 900; ++i) hits[static_cast<size_t>(i)] = {{1.0f, 0.5f}};
  for (int i = 0; i < 300; ++i)
    hits[static_cast<size_t>(900 + i)] = {{4.0f, static_cast<float>(9.0 * (i + 0.5) / 300)}};
  return hits;
}

TEST(DedupThresholds, EstimateIsTheBandDensityCarriedDownAndTheChoiceMeetsTheTarget) {
  const auto hits = known_hits();
  // Below 4 degrees only the copies pass: nothing in the band, precision 1, 900 accepted.
  // At 4 degrees and T grey levels: 900 + 100 T / 3 accepted, of them 100 T / 3 distinct (the
  // estimate is exact for an even spread), so precision (900) / (900 + 33.3 T).
  const VerificationChoice c = choose(hits, 0.99);
  EXPECT_EQ(c.candidates, 1200);
  EXPECT_TRUE(c.met);
  EXPECT_EQ(c.accepted, 900);  // 4 degrees never reaches 0.99 here: 900 / (900 + 16.7) at T = 0.5
  EXPECT_LT(c.angle, 4.0);
  EXPECT_DOUBLE_EQ(c.precision, 1.0);
  const VerificationChoice loose = choose(hits, 0.98);  // 900 / (900 + 16.7) = 0.982 at (4, 0.5)
  EXPECT_DOUBLE_EQ(loose.angle, 4.0);
  EXPECT_DOUBLE_EQ(loose.pixels, 0.5);
  EXPECT_EQ(loose.band, 100);
  EXPECT_EQ(loose.accepted, 917);  // 900 copies + the 17 distinct pairs under 0.5 grey levels
  EXPECT_NEAR(loose.wrong, 100 * 0.5 / 3, 1e-9);
  EXPECT_NEAR(loose.precision, 1 - (100 * 0.5 / 3) / 917, 1e-9);
  EXPECT_LT(loose.precision_low, loose.precision);
  EXPECT_NEAR(loose.wrong_high, poisson_upper_95(100) * 0.5 / 3, 1e-9);
}

TEST(DedupThresholds, TheFirstHitWithinTheLimitsIsTheOneThatCounts) {
  // One image: its nearest hit is distinct (5 degrees, 4.5 grey levels: in the band), the next a
  // copy (1 degree, 0.5). Within 6 degrees the band sees the distinct one; within 2 the copy.
  const std::vector<std::vector<PairDistance>> hits = {{{5.0f, 4.5f}, {1.0f, 0.5f}}};
  const VerificationChoice c = choose(hits, 0.5);
  EXPECT_EQ(c.accepted, 1);
  EXPECT_EQ(c.band, 0);  // chosen below 5 degrees: the band is empty there
  EXPECT_LT(c.angle, 5.0);
}

TEST(DedupThresholds, AnUnreachableTargetTakesTheMostPreciseSettings) {
  // Every hit is distinct and in the band: no setting reaches 0.99.
  std::vector<std::vector<PairDistance>> hits(100, {{1.0f, 3.5f}});
  for (int i = 0; i < 10; ++i) hits.push_back({{1.0f, 0.2f}});
  const VerificationChoice c = choose(hits, 0.99);
  EXPECT_FALSE(c.met);
  EXPECT_DOUBLE_EQ(c.pixels, 0.5);  // 10 accepted, about 16.7 estimated wrong: the least bad
  EXPECT_EQ(c.accepted, 10);
}

}  // namespace
}  // namespace gankit
