// The columns of a discriminator feature vector (DCGAN, Radford et al. 2016, section 5.1): the
// activation of each chosen conv block of a DCGAN discriminator after its nonlinearity,
// max-pooled to a pool x pool grid (non-overlapping windows of size / pool; a layer already
// smaller than the grid stays as it is), flattened in (channel, row, column) order and
// concatenated, in the order the layers are listed. Block i of a D for R x R images with ndf
// base maps has ndf * 2^i maps of (R / 2^(i+1))^2; a 32x32 D pooled to 4 gives ndf * 16 * 7
// features. Torch-free: the tools describe the layout without loading LibTorch.
#pragma once

#include <cstdint>
#include <vector>

namespace gankit {

struct FeatureLayer {
  int index = 0;     // conv block of D, 0 = the input side
  int channels = 0;  // maps of the block
  int size = 0;      // its spatial size (square)
  int pooled = 0;    // the grid it is pooled to: min(pool, size)
  int64_t dims = 0;  // channels * pooled^2
};

struct FeatureLayout {
  std::vector<FeatureLayer> layers;
  int64_t dims = 0;
};

// The layout for a D of `resolution` with `ndf` base maps, `layers` (block indices in the order
// wanted; empty = every block) pooled to `pool`. Throws Error(Usage) naming an index D does not
// have, a repeated index or a pool that is not a power of two, and Error(Data) when D has no conv blocks.
FeatureLayout feature_layout(int resolution, int ndf, const std::vector<int>& layers, int pool);

}  // namespace gankit
