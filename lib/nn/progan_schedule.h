// The Progressive GAN schedule (official TrainingSchedule): where a run is, given the real
// images its discriminator has seen.
//
// Level 0 (4x4) trains for stable_kimg; then each next level fades in over fade_kimg (alpha
// rising linearly 0 -> 1) and stabilises for stable_kimg, up to the last level, which then
// trains on. Segments are numbered 0 (level 0 stable), 2L - 1 (level L fading in), 2L (level L
// stable); optimiser states are fresh at the start of every segment, as the official code
// resets them whenever the level of detail changes its floor or ceiling.
#pragma once

#include <cstdint>

namespace gankit {

struct ProganPosition {
  int level = 0;       // 0 = 4x4 ... levels - 1
  double alpha = 1.0;  // fade-in of `level`: 1 when stable
  int segment = 0;     // see above
  // Resolution reached, in levels: 0.25 while level 1 is a quarter faded in (the official lod
  // counts the other way, down from the top level).
  double lod() const { return static_cast<double>(level) - 1.0 + alpha; }
};

struct ProganSchedule {
  int levels = 4;  // number of levels: log2(resolution) - 1
  double fade_kimg = 600, stable_kimg = 600;
  // Position after `images` real images.
  ProganPosition at(int64_t images) const;
  // Images at which segment `segment` starts (0 for segment 0).
  int64_t segment_start(int segment) const;
};

// The image size of level `level`: 4 * 2^level.
constexpr int level_resolution(int level) { return 4 << level; }

// The minibatch at a level's resolution: `base` up to 128x128, then at most 8 (256), 4 (512, 1024)
// so that large levels fit in memory; always a multiple of the minibatch-stddev group (4) or
// smaller than it.
int progan_batch(int base, int resolution);

}  // namespace gankit
