// What both SWD backends (swd.cpp on OpenBLAS, swd_torch.cpp on a LibTorch device) share: the
// input checks, the pyramid level sizes and every random draw, made up front in the official
// code's order (see swd.h). Internal to gankit::eval.
#pragma once

#include <cstdint>
#include <vector>

#include "image_set.h"
#include "swd.h"

namespace gankit {

constexpr int kSwdPatches = 128;  // per image and level
constexpr int kSwdHalf = 3;       // 7x7 neighbourhoods
constexpr int kSwdDim = 3 * 7 * 7;
constexpr int kSwdRepeats = 4;
constexpr int kSwdDirs = 128;  // per repeat
// The CPU backend's projection GEMMs (swd.cpp): kSwdDirChunk directions of one repeat against
// blocks of kSwdDescBlock descriptors per call (the chunk bounds the projection memory).
constexpr int kSwdDirChunk = 64;
constexpr int kSwdDescBlock = 2048;

struct SwdLevelSize {
  int h, w;
};

// Patch centres of one set: x[level][image * 128 + p], likewise y.
struct SwdPositions {
  std::vector<std::vector<int32_t>> x, y;
};

struct SwdPlan {
  int64_t n = 0;  // images per set
  int h = 0, w = 0, levels = 0;
  std::vector<int> resolutions;     // finest first
  std::vector<SwdLevelSize> sizes;  // per level (cv::pyrDown sizes)
  SwdPositions real, fake;
  std::vector<std::vector<float>> dirs;  // [level * 4 + repeat]: 128 unit directions x 147, float32
};

// Checks the sets (same count and size, RGB, at least 16x16) and makes every draw.
SwdPlan make_swd_plan(const ImageSet& real, const ImageSet& fake, const SwdOptions& options);

}  // namespace gankit
