// MS-SSIM as defined by the official Progressive GAN code (metrics/ms_ssim.py, TF-models).
//
// Images: uint8 NCHW (any channel count), values used as 0..255. Per pair, 5 scales with
// weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]: at each scale a Gaussian window of size
// min(11, h, w) and sigma 1.5 * size / 11 (MATLAB fspecial style, half-integer taps for even
// sizes), "valid" filtering per channel, K1 = 0.01, K2 = 0.03, L = 255; cs and ssim maps
// averaged over height, width and channels; then a plain 2x2 box average. Values are clipped
// at 0; score = prod_{j=1..4} cs_j^w_j * ssim_5^w_5. Computed in double.
// Better than the official code: an odd size at any scale (which crashes it) is cropped to even
// before the 2x2 average (reported in `cropped`). Images must be at least 16x16 (5 scales).
#pragma once

#include <cstdint>
#include <vector>

#include "image_batch.h"
#include "progress.h"

namespace gankit {

// MS-SSIM of one pair of c x h x w images. Sets *cropped when an odd size was cropped.
double msssim_pair(const uint8_t* a, const uint8_t* b, int c, int h, int w, bool* cropped = nullptr);

struct MsssimResult {
  int64_t pairs = 0;
  double mean = 0;
  bool cropped = false;
};

// Mean over the given pairs (a.image(first[k]), b.image(second[k])); parallel, same result for
// any thread count.
MsssimResult msssim_pairs(const ImageBatch& a, const ImageBatch& b, const std::vector<int64_t>& first,
                          const std::vector<int64_t>& second, ProgressOptions progress = {});

// Aligned pairs (a[i], b[i]) for i < pairs.
MsssimResult msssim_aligned(const ImageBatch& a, const ImageBatch& b, int64_t pairs, ProgressOptions progress = {});

// The ProGAN diversity figure of one set: pairs (0,1), (2,3), ... of the set, or of a random
// permutation of it when `shuffle` (seeded; the same permutation on every platform).
MsssimResult msssim_diversity(const ImageBatch& set, int64_t pairs, bool shuffle, uint64_t seed,
                              ProgressOptions progress = {});

}  // namespace gankit
