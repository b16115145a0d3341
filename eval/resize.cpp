#include "resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "error.h"

namespace gankit {

namespace {

// One output sample as a weighted sum of `count` consecutive input samples from `first`.
struct Taps {
  int first = 0, count = 0;
  std::vector<double> weight;
};

double bicubic(double x) {  // Keys' cubic with a = -0.5, as PIL
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

// PIL's precompute_coeffs for the bicubic filter: support widened by the reduction factor,
// weights normalised to sum 1.
std::vector<Taps> pil_bicubic_taps(int in, int out) {
  const double scale = static_cast<double>(in) / out;
  const double filterscale = std::max(scale, 1.0), support = 2.0 * filterscale, ss = 1.0 / filterscale;
  std::vector<Taps> taps(static_cast<size_t>(out));
  for (int x = 0; x < out; ++x) {
    const double center = (x + 0.5) * scale;
    int xmin = static_cast<int>(center - support + 0.5), xmax = static_cast<int>(center + support + 0.5);
    xmin = std::max(xmin, 0);
    xmax = std::min(xmax, in) - xmin;
    Taps& t = taps[static_cast<size_t>(x)];
    t.first = xmin;
    t.count = xmax;
    double sum = 0;
    for (int k = 0; k < xmax; ++k) {
      t.weight.push_back(bicubic((k + xmin - center + 0.5) * ss));
      sum += t.weight.back();
    }
    if (sum != 0.0)
      for (double& w : t.weight) w /= sum;
  }
  return taps;
}

// Bilinear taps with each library's arithmetic: the scale in float; the source position in
// double for torch (half-pixel centres; measured against torch 1.13: float positions differ by
// up to 3e-3 on a photo), in float for TF1 (source = destination x scale).
std::vector<Taps> bilinear_taps(int in, int out, bool half_pixel) {
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  std::vector<Taps> taps(static_cast<size_t>(out));
  for (int x = 0; x < out; ++x) {
    const double src = half_pixel ? std::max(static_cast<double>(scale) * (x + 0.5) - 0.5, 0.0)
                                  : static_cast<double>(static_cast<float>(x) * scale);
    const int x0 = std::min(static_cast<int>(src), in - 1);
    const float l1 = static_cast<float>(src - x0);
    Taps& t = taps[static_cast<size_t>(x)];
    t.first = x0;
    t.count = x0 < in - 1 ? 2 : 1;
    t.weight = {1.0f - l1, l1};
    if (t.count == 1) t.weight = {1.0};  // at the last sample both taps read it
  }
  return taps;
}

struct Plan {
  std::vector<Taps> rows, cols;
};

// PIL: a horizontal pass into float32, then a vertical one, each accumulated in double.
void resize_clean(const uint8_t* src, int h, int w, const Plan& p, int size, float* dst) {
  std::vector<float> tmp(static_cast<size_t>(h) * size);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < size; ++x) {
      const Taps& t = p.cols[static_cast<size_t>(x)];
      double s = 0;
      for (int k = 0; k < t.count; ++k)
        s += static_cast<float>(src[y * w + t.first + k]) * t.weight[static_cast<size_t>(k)];
      tmp[static_cast<size_t>(y) * size + x] = static_cast<float>(s);
    }
  for (int y = 0; y < size; ++y) {
    const Taps& t = p.rows[static_cast<size_t>(y)];
    for (int x = 0; x < size; ++x) {
      double s = 0;
      for (int k = 0; k < t.count; ++k)
        s += tmp[static_cast<size_t>(t.first + k) * size + x] * t.weight[static_cast<size_t>(k)];
      dst[y * size + x] = std::clamp(static_cast<float>(s), 0.0f, 255.0f);
    }
  }
}

// Bilinear in float: top = a + (b - a) lx, out = top + (bottom - top) ly (TF1's order; torch's
// weighted sum differs by float rounding only).
void resize_bilinear(const uint8_t* src, int w, const Plan& p, int size, float* dst) {
  for (int y = 0; y < size; ++y) {
    const Taps& ty = p.rows[static_cast<size_t>(y)];
    const int y1 = ty.first + ty.count - 1;
    const float ly = ty.count == 2 ? static_cast<float>(ty.weight[1]) : 0.0f;
    for (int x = 0; x < size; ++x) {
      const Taps& tx = p.cols[static_cast<size_t>(x)];
      const int x1 = tx.first + tx.count - 1;
      const float lx = tx.count == 2 ? static_cast<float>(tx.weight[1]) : 0.0f;
      auto at = [&](int yy, int xx) { return static_cast<float>(src[yy * w + xx]); };
      const float top = at(ty.first, tx.first) + (at(ty.first, x1) - at(ty.first, tx.first)) * lx;
      const float bottom = at(y1, tx.first) + (at(y1, x1) - at(y1, tx.first)) * lx;
      dst[y * size + x] = top + (bottom - top) * ly;
    }
  }
}

}  // namespace

bool is_resize_mode(const std::string& name) {
  return name == "clean" || name == "legacy-pytorch" || name == "legacy-tf";
}

ResizeMode parse_resize_mode(const std::string& name) {
  if (name == "clean") return ResizeMode::Clean;
  if (name == "legacy-pytorch") return ResizeMode::LegacyPytorch;
  if (name == "legacy-tf") return ResizeMode::LegacyTf;
  fail(ErrorKind::Usage, fmt::format("resize mode '{}': use clean, legacy-pytorch or legacy-tf", name));
}

const char* to_string(ResizeMode mode) {
  return mode == ResizeMode::Clean ? "clean" : mode == ResizeMode::LegacyPytorch ? "legacy-pytorch" : "legacy-tf";
}

void resize_for_backbone(const ImageBatch& in, int64_t first, int64_t n, int size, ResizeMode mode, float* out) {
  GANKIT_CHECK(in.c == 1 || in.c == 3, Internal, "resize_for_backbone: {} channels", in.c);
  Plan plan;
  if (mode == ResizeMode::Clean) {
    plan.rows = pil_bicubic_taps(in.h, size);
    plan.cols = pil_bicubic_taps(in.w, size);
  } else {
    plan.rows = bilinear_taps(in.h, size, mode == ResizeMode::LegacyPytorch);
    plan.cols = bilinear_taps(in.w, size, mode == ResizeMode::LegacyPytorch);
  }
  const bool same = in.h == size && in.w == size;
  const size_t plane = static_cast<size_t>(size) * size;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* image = in.image(first + i);
    float* dst = out + static_cast<size_t>(i) * 3 * plane;
    for (int c = 0; c < in.c; ++c) {
      const uint8_t* src = image + static_cast<size_t>(c) * in.h * in.w;
      float* d = dst + static_cast<size_t>(c) * plane;
      if (same)
        std::transform(src, src + plane, d, [](uint8_t v) { return static_cast<float>(v); });
      else if (mode == ResizeMode::Clean)
        resize_clean(src, in.h, in.w, plan, size, d);
      else
        resize_bilinear(src, in.w, plan, size, d);
    }
    if (in.c == 1) {
      std::copy(dst, dst + plane, dst + plane);
      std::copy(dst, dst + plane, dst + 2 * plane);
    }
  }
}

}  // namespace gankit
