#include "sketch.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace gankit {

void thumbnail_sketch(const uint8_t* thumbnail, uint8_t* sketch) {
  constexpr int block = kThumbnailSide / kSketchSide;
  constexpr int plane = kThumbnailSide * kThumbnailSide;
  for (int by = 0; by < kSketchSide; ++by)
    for (int bx = 0; bx < kSketchSide; ++bx) {
      int sum = 0;
      for (int c = 0; c < 3; ++c)
        for (int y = by * block; y < (by + 1) * block; ++y)
          for (int x = bx * block; x < (bx + 1) * block; ++x) sum += thumbnail[c * plane + y * kThumbnailSide + x];
      constexpr int n = 3 * block * block;
      sketch[by * kSketchSide + bx] = static_cast<uint8_t>((sum + n / 2) / n);
    }
}

double sketch_distance(const uint8_t* a, const uint8_t* b) {
  if (std::lexicographical_compare(b, b + kSketchBytes, a, a + kSketchBytes)) std::swap(a, b);  // exactly symmetric
  int sa = 0, sb = 0;
  for (int i = 0; i < kSketchBytes; ++i) {
    sa += a[i];
    sb += b[i];
  }
  // b ~ g a: the brightness gain, within [1 / kMaxSketchGain, kMaxSketchGain], split evenly
  // between the two so that the distance is symmetric.
  const double g =
      sa > 0 && sb > 0 ? std::clamp(static_cast<double>(sb) / sa, 1.0 / kMaxSketchGain, kMaxSketchGain) : 1.0;
  const double r = std::sqrt(g);
  double sum = 0;
  for (int i = 0; i < kSketchBytes; ++i) sum += std::abs(a[i] * r - b[i] / r);
  return sum / kSketchBytes;
}

}  // namespace gankit
