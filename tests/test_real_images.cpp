// Training data (lib/nn/real_images.h).
#include <gtest/gtest.h>

#include <set>

#include "fixtures.h"
#include "real_images.h"
#include "test_util.h"
#include "train_config.h"

namespace gankit {
namespace {
using test::TempDir;

TEST(RealImages, EpochsArePermutationsInASeededOrder) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 50, 1, 32);
  RealImages a(dir / "d.h5", 32, 8, 5, {true, false}), b(dir / "d.h5", 32, 8, 5, {true, false});
  RealImages c(dir / "d.h5", 32, 8, 6, {true, false});
  EXPECT_EQ(a.batches_per_epoch(), 6);  // 50 / 8, the last 2 images of each epoch dropped
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::set<int64_t> seen;
    for (int64_t k = epoch * 6; k < epoch * 6 + 6; ++k)
      for (int64_t i : a.batch_indices(k)) seen.insert(i);
    EXPECT_EQ(seen.size(), 48u);  // no repeats within an epoch
  }
  EXPECT_EQ(a.batch_indices(7), b.batch_indices(7));  // same seed, same order (read out of order)
  EXPECT_EQ(a.batch_indices(0), b.batch_indices(0));
  EXPECT_NE(a.batch_indices(0), c.batch_indices(0));  // another seed, another order
  EXPECT_NE(a.batch_indices(0), a.batch_indices(6));  // another epoch, another order
  // Values: image i's pixel (y, x) = pixel(i, 0, y, x) / 127.5 - 1.
  const auto idx = a.batch_indices(3);
  const auto t = a.batch(3);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{8, 1, 32, 32}));
  EXPECT_FLOAT_EQ(t[2][0][5][9].item<float>(), test::pixel(static_cast<int>(idx[2]), 0, 5, 9) / 127.5f - 1.0f);
}

// 1500 images of 32x32 gray (1.5 MB) through a 1 MB cache: three windows of 512 images.
TEST(RealImages, StreamedEpochsArePermutationsAndBatchesHoldTheirImages) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 1500, 1, 32);
  const DataPolicy stream{DataResidency::Stream, 1 << 20}, automatic{DataResidency::Auto, 1 << 20};
  RealImages a(dir / "d.h5", 32, 64, 5, {true, false}, stream), b(dir / "d.h5", 32, 64, 5, {true, false}, automatic);
  ASSERT_TRUE(a.streamed());
  EXPECT_TRUE(b.streamed());  // auto: 1.5 MB do not fit in 1 MB
  EXPECT_EQ(a.describe(), "streamed (windows of 512 images in runs of 32, 1 MB cache)");
  EXPECT_EQ(a.batches_per_epoch(), 23);  // 1472 images per epoch, the last 28 dropped
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    std::set<int64_t> seen;
    for (int64_t k = epoch * 23; k < epoch * 23 + 23; ++k)
      for (int64_t i : a.batch_indices(k)) seen.insert(i);
    EXPECT_EQ(seen.size(), 1472u);
  }
  EXPECT_NE(a.batch_indices(0), a.batch_indices(23));
  for (int64_t k : {30, 2, 22, 23, 0}) {  // out of order: a resume may start anywhere
    const auto idx = b.batch_indices(k);
    EXPECT_EQ(idx, a.batch_indices(k));
    const auto t = b.batch(k);
    for (int i : {0, 17, 63})
      EXPECT_FLOAT_EQ(t[i][0][5][9].item<float>(), test::pixel(static_cast<int>(idx[i]), 0, 5, 9) / 127.5f - 1.0f)
          << k << " " << i;
  }
  // What fits stays in memory under auto, in the full-permutation order.
  RealImages small(dir / "d.h5", 32, 64, 5, {true, false}, {DataResidency::Auto, 2 << 20});
  EXPECT_FALSE(small.streamed());
  EXPECT_EQ(small.describe(), "in memory (1.5 MB)");
  // A cache that cannot hold two windows of two minibatches is named.
  EXPECT_NE(test::error_of([&] {
              RealImages(dir / "d.h5", 32, 64, 5, {true, false}, {DataResidency::Stream, 200000});
            }).find("needs two windows of at least two minibatches of 64"),
            std::string::npos);
}

}  // namespace
}  // namespace gankit
