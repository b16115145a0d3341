// Sketches: an image's dedup thumbnail (thumbnails.h: 32x32 RGB, CHW) reduced to 8 x 8 grey
// values, each the mean of a 4 x 4 block over the three channels (64 bytes). The distance of two
// sketches, in grey levels 0..255, is the pixel check of dedup: a re-encoded, resized or
// brightened copy stays within a grey level or two of its original, while two distinct images
// that share a hash usually lie much farther apart (docs/dedup.md has the measurements).
#pragma once

#include <cstdint>

#include "thumbnails.h"

namespace gankit {

constexpr int kSketchSide = 8;
constexpr int kSketchBytes = kSketchSide * kSketchSide;

// Thumbnail (kThumbnailBytes, CHW RGB) -> its sketch (kSketchBytes).
void thumbnail_sketch(const uint8_t* thumbnail, uint8_t* sketch);
// The mean |a sqrt(g) - b / sqrt(g)| over two sketches, grey levels: their mean absolute
// difference once a brightness gain g between them is compensated (g = sum(b) / sum(a), within
// [1 / kMaxSketchGain, kMaxSketchGain]; 1 when either is all black). Symmetric in a and b.
constexpr double kMaxSketchGain = 1.25;
double sketch_distance(const uint8_t* a, const uint8_t* b);

}  // namespace gankit
