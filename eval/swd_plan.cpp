#include "swd_plan.h"

#include <algorithm>
#include <cmath>

#include "error.h"
#include "numpy_rng.h"

namespace gankit {

namespace {

std::vector<SwdLevelSize> level_sizes(int h, int w, int levels) {
  std::vector<SwdLevelSize> out;
  for (int i = 0; i < levels; ++i) {
    out.push_back({h, w});
    h = (h + 1) / 2;  // cv::pyrDown
    w = (w + 1) / 2;
  }
  return out;
}

SwdPositions draw_positions(NumpyLegacyRng& rng, int64_t n, const std::vector<SwdLevelSize>& sizes, int minibatch) {
  SwdPositions pos;
  pos.x.assign(sizes.size(), std::vector<int32_t>(static_cast<size_t>(n) * kSwdPatches));
  pos.y = pos.x;
  std::vector<int64_t> tmp;
  for (int64_t start = 0; start < n; start += minibatch) {
    const int64_t m = std::min<int64_t>(minibatch, n - start);
    tmp.resize(static_cast<size_t>(m) * kSwdPatches);
    for (size_t lv = 0; lv < sizes.size(); ++lv) {
      rng.randint(kSwdHalf, sizes[lv].w - kSwdHalf, tmp.data(), tmp.size());
      std::copy(tmp.begin(), tmp.end(), pos.x[lv].begin() + start * kSwdPatches);
      rng.randint(kSwdHalf, sizes[lv].h - kSwdHalf, tmp.data(), tmp.size());
      std::copy(tmp.begin(), tmp.end(), pos.y[lv].begin() + start * kSwdPatches);
    }
  }
  return pos;
}

// One repeat's directions: randn(147, 128), columns normalised in double, cast to float32;
// stored direction-major (128 rows of 147) for the projection GEMM.
std::vector<float> draw_directions(NumpyLegacyRng& rng) {
  std::vector<double> m(static_cast<size_t>(kSwdDim) * kSwdDirs);
  rng.randn(m.data(), m.size());
  std::vector<float> dirs(m.size());
  for (int j = 0; j < kSwdDirs; ++j) {
    double ss = 0;
    for (int i = 0; i < kSwdDim; ++i) ss += m[i * kSwdDirs + j] * m[i * kSwdDirs + j];
    const double norm = std::sqrt(ss);
    for (int i = 0; i < kSwdDim; ++i) dirs[j * kSwdDim + i] = static_cast<float>(m[i * kSwdDirs + j] / norm);
  }
  return dirs;
}

}  // namespace

std::vector<int> swd_resolutions(int h) {
  std::vector<int> out;
  for (int r = h; r >= 16; r /= 2) out.push_back(r);
  return out;
}

int swd_official_minibatch(int h) { return std::clamp(8192 / h, 4, 256); }

SwdPlan make_swd_plan(const ImageSet& real, const ImageSet& fake, const SwdOptions& opt) {
  GANKIT_CHECK_USAGE(opt.rng == "numpy-legacy", GANKIT_SETTING("rng") " {}: expected numpy-legacy", opt.rng);
  GANKIT_CHECK_USAGE(opt.batch > 0, GANKIT_SETTING("batch") " {} must be positive", opt.batch);
  SwdPlan plan;
  plan.n = real.count();
  plan.h = real.height();
  plan.w = real.width();
  const int h = plan.h, w = plan.w;
  GANKIT_CHECK_DATA(plan.n > 0 && fake.count() > 0, "SWD needs images in both sets");
  GANKIT_CHECK_DATA(plan.n == fake.count(),
                    "the sets have different counts: {} real vs {} fake images (use " GANKIT_SETTING("num_images") ")",
                    plan.n, fake.count());
  GANKIT_CHECK_DATA(h == fake.height() && w == fake.width(), "the sets have different sizes: {}x{} real vs {}x{} fake",
                    w, h, fake.width(), fake.height());
  GANKIT_CHECK_DATA(real.channels() == 3 && fake.channels() == 3,
                    "SWD needs RGB images (C = 3), got {} and {} channels", real.channels(), fake.channels());
  GANKIT_CHECK_DATA(h >= 16 && w >= 16, "images are {}x{}: SWD needs at least 16x16", w, h);
  plan.resolutions = swd_resolutions(h);
  plan.levels = static_cast<int>(plan.resolutions.size());
  plan.sizes = level_sizes(h, w, plan.levels);
  GANKIT_CHECK_DATA(plan.sizes.back().w >= 7, "images are {}x{}: too narrow for 7x7 patches at the {}-pixel level", w,
                    h, plan.sizes.back().h);
  // Every random draw, in the official order: reals' positions, the reals-vs-reals directions
  // (the official code spends them on a comparison that always gives 0; we only draw them),
  // fakes' positions, then the directions actually used.
  NumpyLegacyRng rng(opt.seed);
  const int minibatch = swd_official_minibatch(h);
  plan.real = draw_positions(rng, plan.n, plan.sizes, minibatch);
  for (int i = 0; i < plan.levels * kSwdRepeats; ++i) draw_directions(rng);
  plan.fake = draw_positions(rng, plan.n, plan.sizes, minibatch);
  for (int i = 0; i < plan.levels * kSwdRepeats; ++i) plan.dirs.push_back(draw_directions(rng));
  return plan;
}

}  // namespace gankit
