// ProGAN's phase schedule (lib/nn/progan_schedule.h): stable, then fade, then stable per level, and the
// minibatch per resolution.
#include <gtest/gtest.h>

#include "progan_schedule.h"

namespace gankit {
namespace {

TEST(ProganSchedule, StableThenFadeThenStablePerLevel) {
  const ProganSchedule s{4, 600, 600};  // 32x32: levels 4, 8, 16, 32
  auto at = [&](double kimg) { return s.at(static_cast<int64_t>(kimg * 1000)); };
  EXPECT_EQ(at(0).level, 0);
  EXPECT_EQ(at(599.999).segment, 0);
  EXPECT_EQ(at(600).level, 1);  // 8x8 starts fading in
  EXPECT_DOUBLE_EQ(at(600).alpha, 0.0);
  EXPECT_DOUBLE_EQ(at(750).alpha, 0.25);
  EXPECT_EQ(at(750).segment, 1);
  EXPECT_DOUBLE_EQ(at(750).lod(), 0.25);
  EXPECT_DOUBLE_EQ(at(1200).lod(), 1.0);
  EXPECT_EQ(at(1200).level, 1);
  EXPECT_DOUBLE_EQ(at(1200).alpha, 1.0);
  EXPECT_EQ(at(1200).segment, 2);
  EXPECT_EQ(at(1800).segment, 3);  // 16x16 fading
  EXPECT_EQ(at(3000).segment, 5);  // 32x32 fading
  EXPECT_DOUBLE_EQ(at(3300).alpha, 0.5);
  EXPECT_EQ(at(3600).level, 3);
  EXPECT_EQ(at(3600).segment, 6);
  EXPECT_EQ(at(100000).segment, 6);  // the last level trains on
  EXPECT_DOUBLE_EQ(at(100000).alpha, 1.0);
  for (int seg = 0; seg <= 6; ++seg) {
    EXPECT_EQ(s.at(s.segment_start(seg)).segment, seg) << seg;
    if (seg > 0) {
      EXPECT_EQ(s.at(s.segment_start(seg) - 1).segment, seg - 1) << seg;
    }
  }
  EXPECT_EQ(s.segment_start(1), 600000);
  EXPECT_EQ(s.segment_start(2), 1200000);
  EXPECT_EQ(progan_batch(16, 128), 16);
  EXPECT_EQ(progan_batch(16, 256), 8);
  EXPECT_EQ(progan_batch(16, 1024), 4);
}

}  // namespace
}  // namespace gankit
