// The multi-resolution pyramid of one image (ProGAN h5tool convention).
//
// Level k+1 is the 2x2 box average of level k, computed in float from the previous UNROUNDED
// level: (a + b + c + d) * 0.25 with a=(y0,x0), b=(y0,x1), c=(y1,x0), d=(y1,x1) — the exact
// operation order of the official numpy code — then stored rounded half-to-even
// (std::nearbyint, numpy's np.round) and clipped to 0..255.
#pragma once

#include <cstdint>
#include <vector>

namespace gankit {

// True for 1, 2, 4, 8, ...
inline bool is_power_of_two(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

// `chw` is one C x R x R uint8 image (R a power of two). `levels[k]` receives the C x (R>>k) x
// (R>>k) uint8 image for k = 0..log2(R); `scratch` is reused between calls.
void build_pyramid(const uint8_t* chw, int c, int r, std::vector<std::vector<uint8_t>>& levels,
                   std::vector<float>& scratch);

}  // namespace gankit
