// The layout of discriminator features (lib/feature_layout.h).
#include <gtest/gtest.h>

#include "feature_layout.h"
#include "test_util.h"

namespace gankit {
namespace {

TEST(FeatureLayout, DimensionsOfTheDcganDiscriminators) {
  // 32x32, ndf 32: 32 x 16x16, 64 x 8x8, 128 x 4x4, each pooled to 4x4.
  const FeatureLayout a = feature_layout(32, 32, {}, 4);
  ASSERT_EQ(a.layers.size(), 3u);
  EXPECT_EQ(a.dims, 32 * 16 + 64 * 16 + 128 * 16);
  EXPECT_EQ(a.layers[0].size, 16);
  EXPECT_EQ(a.layers[2].pooled, 4);
  // 64x64, ndf 64: four layers of 64..512 maps, 16 * 960 = 15360; pool 8 leaves the 4x4 layer as it is.
  EXPECT_EQ(feature_layout(64, 64, {}, 4).dims, 15360);
  const FeatureLayout b = feature_layout(64, 64, {3, 0}, 8);
  ASSERT_EQ(b.layers.size(), 2u);
  EXPECT_EQ(b.layers[0].index, 3);
  EXPECT_EQ(b.layers[0].pooled, 4);
  EXPECT_EQ(b.dims, 512 * 16 + 64 * 64);
}

TEST(FeatureLayout, RejectsLayersPoolsAndNetworksItCannotUse) {
  EXPECT_NE(test::error_of([] { feature_layout(32, 8, {3}, 4); }).find("conv layers 0..2"), std::string::npos);
  EXPECT_NE(test::error_of([] { feature_layout(32, 8, {1, 1}, 4); }).find("given twice"), std::string::npos);
  EXPECT_NE(test::error_of([] { feature_layout(32, 8, {}, 3); }).find("power of two"), std::string::npos);
  EXPECT_NE(test::error_of([] { feature_layout(4, 8, {}, 4); }).find("no conv layers"), std::string::npos);
}

}  // namespace
}  // namespace gankit
