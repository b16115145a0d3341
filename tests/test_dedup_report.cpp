// The dedup report (datasets/dedup_report.h): sketches, group spreads and which groups the
// contact sheet shows first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dedup_report.h"

namespace gankit {
namespace {

std::vector<uint8_t> constant_thumbnail(uint8_t v) { return std::vector<uint8_t>(kThumbnailBytes, v); }

TEST(DedupReport, SketchIsTheBlockMeanOverChannels) {
  std::vector<uint8_t> t(kThumbnailBytes, 0);
  // Channel 1 of the top-left 4x4 block at 30: the block's mean over 3 x 16 values is 10.
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) t[kThumbnailSide * kThumbnailSide + y * kThumbnailSide + x] = 30;
  uint8_t s[kSketchBytes];
  thumbnail_sketch(t.data(), s);
  EXPECT_EQ(s[0], 10);
  for (int i = 1; i < kSketchBytes; ++i) EXPECT_EQ(s[i], 0) << i;
  uint8_t a[kSketchBytes], b[kSketchBytes];
  thumbnail_sketch(constant_thumbnail(0).data(), a);
  thumbnail_sketch(constant_thumbnail(14).data(), b);
  EXPECT_DOUBLE_EQ(sketch_distance(a, b), 14.0);  // black: no gain to compensate
  EXPECT_DOUBLE_EQ(sketch_distance(a, a), 0.0);
}

TEST(DedupReport, SketchDistanceCompensatesABrightnessGainUpToItsLimit) {
  uint8_t a[kSketchBytes], b[kSketchBytes], c[kSketchBytes];
  for (int i = 0; i < kSketchBytes; ++i) {
    a[i] = static_cast<uint8_t>(40 + 2 * i);                           // 40..166
    b[i] = static_cast<uint8_t>((40 + 2 * i) * 6 / 5);                 // 20 % brighter, truncated
    c[i] = static_cast<uint8_t>(std::min(255, (40 + 2 * i) * 3 / 2));  // 50 % brighter
  }
  EXPECT_LT(sketch_distance(a, b), 0.5);  // only the truncation is left
  EXPECT_DOUBLE_EQ(sketch_distance(a, b), sketch_distance(b, a));
  // 50 %: a gain of 1.25 is compensated, the rest counts: (1.5 / sqrt(1.25) - sqrt(1.25)) x mean(a),
  // with mean(a) = 103.
  EXPECT_NEAR(sketch_distance(a, c), (1.5 / std::sqrt(1.25) - std::sqrt(1.25)) * 103, 0.5);
  EXPECT_DOUBLE_EQ(sketch_distance(a, c), sketch_distance(c, a));
}

TEST(DedupReport, SpreadIsTheFarthestMemberFromTheFirstAndOrdersTheSheet) {
  // Images 0..5 with sketch values 0, 2, 9, 0, 5, 5 in groups {0, 1, 2}, {3, 4} and {5} (alone).
  const std::vector<uint8_t> value = {0, 2, 9, 0, 5, 5};
  std::vector<uint8_t> sketches;
  for (uint8_t v : value) sketches.insert(sketches.end(), kSketchBytes, v);
  DuplicateGroups g;
  g.groups = {{0, 1, 2}, {3, 4}, {5}};
  const std::vector<double> spreads = group_spreads(g, sketches);
  EXPECT_EQ(spreads, (std::vector<double>{9.0, 5.0, 0.0}));
  EXPECT_EQ(doubtful_groups(g, spreads), (std::vector<size_t>{0, 1, 2}));
  // Equal spreads: the larger group first, then dataset order.
  g.groups = {{0, 3}, {1, 3, 3}, {2, 3}};
  std::vector<uint8_t> flat(6 * kSketchBytes, 0);
  EXPECT_EQ(doubtful_groups(g, group_spreads(g, flat)), (std::vector<size_t>{1, 0, 2}));
  // Exact duplicates (no sketches): every spread is 0.
  EXPECT_EQ(group_spreads(g, {}), (std::vector<double>{0.0, 0.0, 0.0}));
  // At most kSheetGroups rows.
  g.groups.assign(40, {0, 1});
  EXPECT_EQ(doubtful_groups(g, group_spreads(g, flat)).size(), static_cast<size_t>(kSheetGroups));
}

}  // namespace
}  // namespace gankit
