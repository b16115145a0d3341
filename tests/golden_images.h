// The exactly generated image sets of docs/metrics.md ("Golden values") (uint8, RGB, N x 3 x s x s).
#pragma once

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

}  // namespace gankit::test
