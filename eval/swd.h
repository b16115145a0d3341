// Sliced Wasserstein distance over Laplacian-pyramid 7x7 patches (Karras et al., ProGAN).
//
// Inputs: two ImageBatch sets of N images each, uint8 NCHW RGB (C = 3), same H x W, H and W at
// least 16. Values are used as 0..255 floats. Levels: H, H/2, ... while >= 16; level k is the
// band-pass G(k) - pyrUp(G(k+1)) of the Gaussian pyramid (cv::pyrDown/pyrUp, reflect-101),
// the coarsest level is G itself. Per level: 128 random 7x7x3 patches per image, normalised per
// set and colour channel (statistics accumulated in double), 4 x 128 random unit directions,
// mean |sorted projection differences| x 1e3. Result: per level, finest first, and their mean.
//
// With rng = "numpy-legacy" every random draw comes from numpy's legacy stream seeded with
// `seed`, in the official code's order (docs/metrics.md): results match the
// official ProGAN code to ~1e-4. All draws are made before any computation, so results do not
// depend on `batch` or the thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image_batch.h"
#include "image_set.h"
#include "progress.h"

namespace gankit {

struct SwdOptions {
  uint32_t seed = 1;
  std::string rng = "numpy-legacy";
  int batch = 256;  // images read and processed per block: memory only, never the result
  ProgressOptions progress;
};

struct SwdResult {
  std::vector<int> resolutions;  // finest first
  std::vector<double> swd;       // x 1e3, per level
  double average = 0;            // mean over levels
};

// The sets are read block by block, once: the finest level keeps each image's level-1 Gaussian
// G(1) (exact as uint16, half the images' bytes) in an unlinked temporary file, and the coarser
// levels start from it (without a temp folder, or room in it, they read the sets again: the same
// values). So a streamed set (a .npy file, a single-pass folder) is never held in memory: peak
// memory is one level's descriptors of both sets plus the projections.
SwdResult sliced_wasserstein(ImageSet& real, ImageSet& fake, const SwdOptions& options);
SwdResult sliced_wasserstein(const ImageBatch& real, const ImageBatch& fake, const SwdOptions& options);

// The pyramid levels used for images of height h (h, h/2, ... >= 16).
std::vector<int> swd_resolutions(int h);

// The images per minibatch of the official random stream: clip(8192 // h, 4, 256).
int swd_official_minibatch(int h);

}  // namespace gankit
