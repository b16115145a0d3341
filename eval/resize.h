// Resizing images to a feature backbone's input size, the three ways FID implementations do it
// (the resizer moves FID by several points; Parmar et al., "On aliased resizing and surprising
// subtleties in GAN evaluation", 2022):
//   clean           PIL's antialiased bicubic (a = -0.5, support scaled with the reduction) on
//                   float32 planes, then clipped to [0, 255]: clean-fid's resizer
//   legacy-pytorch  bilinear, half-pixel centres (align_corners=False), no antialiasing:
//                   torch.nn.functional.interpolate as pytorch-fid calls it
//   legacy-tf       bilinear with source = destination x in/out (TF1 resize_bilinear,
//                   align_corners=False, no half-pixel centres): the original TF FID graph
// Same size in and out is a copy in every mode. Input uint8 NCHW (C = 1 or 3; grey is resized
// once and repeated to 3 channels); output float32 (N, 3, S, S), values 0..255, RGB.
#pragma once

#include <string>

#include "image_batch.h"

namespace gankit {

enum class ResizeMode { Clean, LegacyPytorch, LegacyTf };

// "clean" | "legacy-pytorch" | "legacy-tf"; throws Error(Usage) naming the mode otherwise.
bool is_resize_mode(const std::string& name);
ResizeMode parse_resize_mode(const std::string& name);
const char* to_string(ResizeMode mode);

// Images [first, first + n) of `in` resized to size x size into `out` (n * 3 * size * size
// floats), images in parallel (OpenMP).
void resize_for_backbone(const ImageBatch& in, int64_t first, int64_t n, int size, ResizeMode mode, float* out);

}  // namespace gankit
