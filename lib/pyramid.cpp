#include "pyramid.h"

#include <algorithm>
#include <cmath>

namespace gankit {

namespace {
inline uint8_t round_clip(float v) {
  float r = std::nearbyint(v);  // default rounding mode: half to even
  return static_cast<uint8_t>(std::clamp(r, 0.0f, 255.0f));
}
}  // namespace

void build_pyramid(const uint8_t* chw, int c, int r, std::vector<std::vector<uint8_t>>& levels,
                   std::vector<float>& scratch) {
  int num_levels = 1;
  while ((r >> (num_levels - 1)) > 1) ++num_levels;
  levels.resize(static_cast<size_t>(num_levels));
  const size_t full = static_cast<size_t>(c) * r * r;
  levels[0].assign(chw, chw + full);
  // scratch holds the current unrounded level followed by space for the next one.
  scratch.resize(full + full / 4 + 1);
  float* cur = scratch.data();
  float* nxt = scratch.data() + full;
  for (size_t i = 0; i < full; ++i) cur[i] = chw[i];
  for (int k = 1; k < num_levels; ++k) {
    const int src = r >> (k - 1), dst = r >> k;
    auto& out = levels[static_cast<size_t>(k)];
    out.resize(static_cast<size_t>(c) * dst * dst);
    for (int ch = 0; ch < c; ++ch) {
      const float* s = cur + static_cast<size_t>(ch) * src * src;
      float* d = nxt + static_cast<size_t>(ch) * dst * dst;
      uint8_t* o = out.data() + static_cast<size_t>(ch) * dst * dst;
      for (int y = 0; y < dst; ++y) {
        const float* r0 = s + static_cast<size_t>(2 * y) * src;
        const float* r1 = r0 + src;
        for (int x = 0; x < dst; ++x) {
          float v = (r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1]) * 0.25f;
          d[y * dst + x] = v;
          o[y * dst + x] = round_clip(v);
        }
      }
    }
    // The next level is written behind the current one's start; sizes shrink 4x each step.
    std::copy(nxt, nxt + static_cast<size_t>(c) * dst * dst, cur);
  }
}

}  // namespace gankit
