// `gan-data dedup hash --target-precision P`: the verification settings (code angle and pixel
// distance, semantic_hash.h) chosen from the dataset itself so that the expected share of wrong
// removals stays below 1 - P.
//
// The candidates are the pairs the probe search finds before any check: each image and the
// earlier images it reaches first (probe_hits, up to kCandidateHits, nearest first), with their
// code angle (degrees) and sketch distance (grey levels, sketch.h). With limits (A, T) an image
// is removed by its first hit within both, as the grouping does. Copies lie close on both; a
// distinct pair may share a hash, but its sketches seldom agree. How many distinct hits pass a
// pixel limit T is estimated from the images whose first hit within the angle limit and
// kBandHigh has its sketches in the band (kBandLow, kBandHigh] grey levels, beyond the copies'
// reach: their density there, carried down to [0, T] as a constant,
// n_band * T / (kBandHigh - kBandLow). Distinct pairs grow denser with the distance
// up to the band (their distances lie around several grey levels), so a constant overstates
// them near 0 and the estimate errs on the safe side; copies farther than kBandLow from their
// original would be counted as distinct, which also errs on the safe side. The choice is the
// grid point (angle, T) that accepts the most candidates with an estimated precision >= P.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace gankit {

constexpr double kBandLow = 3.0, kBandHigh = 6.0;  // grey levels
constexpr size_t kCandidateHits = 8;               // per image
// The grids searched.
inline const std::vector<double> kAngleGrid = {1, 2, 3, 4, 5, 6, 8, 10, 12, 15};
inline const std::vector<double> kPixelGrid = {0.5, 1, 1.5, 2, 2.5, 3};

// A candidate hit; a slot without a hit is kNoHit (never within any limit).
struct PairDistance {
  float angle = 0;   // degrees between the code positions
  float pixels = 0;  // sketch distance, grey levels
};
constexpr PairDistance kNoHit{std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};

struct VerificationChoice {
  double target = 0;
  double angle = 0, pixels = 0;             // the chosen limits
  int64_t candidates = 0;                   // images with a hit: what the estimate saw
  int64_t accepted = 0;                     // images with a hit within both limits
  int64_t band = 0;                         // images whose first hit within the angle and kBandHigh is in the band
  double wrong = 0, wrong_high = 0;         // estimated wrong acceptances; 95 % upper bound
  double precision = 1, precision_low = 1;  // 1 - wrong / accepted; with wrong_high
  bool met = false;                         // some grid point reaches the target; else the most precise one is chosen
};

// Chooses from `hits` (per image, `per_image` slots: its candidate hits nearest first, then
// kNoHit) as described above. `target` in (0, 1).
VerificationChoice choose_verification(std::span<const PairDistance> hits, size_t per_image, double target);

// The one-sided 95 % upper limit of a Poisson mean given `n` events (Wilson-Hilferty).
double poisson_upper_95(int64_t n);

}  // namespace gankit
