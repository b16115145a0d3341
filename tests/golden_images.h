// The exactly generated image sets of docs/metrics.md ("Golden values") (uint8, RGB, N x 3 x s x s),
// and the official code's SWD and MS-SSIM values on them: the one place the tests take them from.
#pragma once

#include <vector>

#include "image_batch.h"

namespace gankit::test {

// real: (37*i + 11*x + 7*y*(c+1) + (x*y) % 13) % 256
inline ImageBatch golden_real(int n, int s) {
  ImageBatch b(n, 3, s, s);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < s; ++y)
        for (int x = 0; x < s; ++x)
          b.image(i)[(c * s + y) * s + x] =
              static_cast<uint8_t>((37 * i + 11 * x + 7 * y * (c + 1) + (x * y) % 13) % 256);
  return b;
}

// fake: (53*i + 5*x*(c+2) + 3*y + (x*x + y) % 29 + 17*((x/8 + y/8) % 2)) % 256
inline ImageBatch golden_fake(int n, int s) {
  ImageBatch b(n, 3, s, s);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < s; ++y)
        for (int x = 0; x < s; ++x)
          b.image(i)[(c * s + y) * s + x] = static_cast<uint8_t>(
              (53 * i + 5 * x * (c + 2) + 3 * y + (x * x + y) % 29 + 17 * ((x / 8 + y / 8) % 2)) % 256);
  return b;
}

// SWD x1e3 of 64 images (golden_real(64, s) against golden_fake(64, s), or against itself), per
// level finest first, and their average; the official code's float32 values to 5 decimals.
struct GoldenSwd {
  std::vector<double> levels;
  double avg;
};
inline const GoldenSwd kSwd64 = {{86.53166, 179.69293, 253.54512}, 173.25657};  // seed 1
inline const GoldenSwd kSwd64Seed1000 = {{89.93717, 180.52729, 264.54887}, 178.33778};
inline const GoldenSwd kSwd64RealVsReal = {{19.52585, 17.58672, 14.22363}, 17.11207};
inline const GoldenSwd kSwd128 = {{89.09789, 180.06350, 231.42579, 228.43595}, 182.25578};
inline const GoldenSwd kSwd128Seed1000 = {{87.15060, 178.45342, 258.17488, 225.81338}, 187.39807};
inline const GoldenSwd kSwd128RealVsReal = {{19.85412, 19.29520, 15.79814, 17.07847}, 18.00648};

// MS-SSIM (to 7 significant digits): real image i against fake image i over 64 pairs, and
// within the real set (consecutive pairs, 32).
inline constexpr double kMsssimAligned64 = 0.0631197, kMsssimWithin64 = 0.4985877;
inline constexpr double kMsssimAligned128 = 0.0113737, kMsssimWithin128 = 0.4998676;

}  // namespace gankit::test
