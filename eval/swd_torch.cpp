// The LibTorch SWD backend, part of the module libgankit_eval_torch.so (see torch_module.h).
#include <ATen/ATen.h>

#include "device.h"
#include "error.h"
#include "swd_plan.h"
#include "torch_module.h"

namespace gankit {

namespace {

// The 5x5 binomial kernel [1 4 6 4 1]^2 / 256, depthwise over 3 channels: (3, 1, 5, 5).
at::Tensor binomial(const at::Device& device, float scale) {
  const float k1[5] = {1, 4, 6, 4, 1};
  at::Tensor k = at::empty({5, 5}, at::kFloat);
  auto a = k.accessor<float, 2>();
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) a[i][j] = k1[i] * k1[j] / 256.0f * scale;
  return k.view({1, 1, 5, 5}).expand({3, 1, 5, 5}).contiguous().to(device);
}

// cv::pyrDown: reflect-101 border, 5x5 binomial, every second pixel.
at::Tensor pyr_down(const at::Tensor& x, const at::Tensor& k) {
  return at::conv2d(at::reflection_pad2d(x, {2, 2, 2, 2}), k, at::Tensor(), at::IntArrayRef{2, 2},
                    at::IntArrayRef{0, 0}, at::IntArrayRef{1, 1}, 3);
}

// cv::pyrUp to (h, w): zeros between the samples, reflect-101 border, 4 x binomial.
at::Tensor pyr_up(const at::Tensor& g, int64_t h, int64_t w, const at::Tensor& k4) {
  at::Tensor z = at::zeros({g.size(0), g.size(1), h, w}, g.options());
  z.slice(2, 0, h, 2).slice(3, 0, w, 2).copy_(g);
  return at::conv2d(at::reflection_pad2d(z, {2, 2, 2, 2}), k4, at::Tensor(), at::IntArrayRef{1, 1},
                    at::IntArrayRef{0, 0}, at::IntArrayRef{1, 1}, 3);
}

// Level `lv` of the Laplacian pyramid of a block (B, 3, H, W) float.
at::Tensor laplacian_level(at::Tensor g, int levels, int lv, const at::Tensor& k, const at::Tensor& k4) {
  for (int i = 0; i < lv; ++i) g = pyr_down(g, k);
  if (lv == levels - 1) return g;
  return g - pyr_up(pyr_down(g, k), g.size(2), g.size(3), k4);
}

// Normalised descriptors (n * 128, 147) of one set at one level, on `device`.
at::Tensor descriptors(ImageSet& set, const SwdPositions& pos, const SwdPlan& plan, int lv, int batch,
                       const at::Device& device) {
  const int64_t n = set.count();
  const int64_t n_desc = n * kSwdPatches;
  at::Tensor desc = at::empty({n_desc, kSwdDim}, at::TensorOptions().dtype(at::kFloat).device(device));
  const at::Tensor k = binomial(device, 1.0f), k4 = binomial(device, 4.0f);
  const auto i64 = at::TensorOptions().dtype(at::kLong).device(device);
  const at::Tensor ch = at::arange(3, i64).view({1, 3, 1, 1});
  const at::Tensor off = at::arange(-kSwdHalf, kSwdHalf + 1, i64);
  const at::Tensor dx = off.view({1, 1, 7, 1}), dy = off.view({1, 1, 1, 7});  // (channel, dx, dy) order
  ImageBatch block;
  for (int64_t b0 = 0; b0 < n; b0 += batch) {
    const int64_t b1 = std::min<int64_t>(n, b0 + batch), bn = b1 - b0;
    set.read(b0, bn, block);
    at::Tensor x = at::from_blob(block.data.data(), {bn, 3, block.h, block.w}, at::kByte).to(device).to(at::kFloat);
    at::Tensor lev = laplacian_level(x, plan.levels, lv, k, k4).contiguous();
    const int64_t H = lev.size(2), W = lev.size(3);
    const int64_t d0 = b0 * kSwdPatches, dn = bn * kSwdPatches;
    at::Tensor px = at::from_blob(const_cast<int32_t*>(pos.x[lv].data()) + d0, {dn}, at::kInt).to(i64);
    at::Tensor py = at::from_blob(const_cast<int32_t*>(pos.y[lv].data()) + d0, {dn}, at::kInt).to(i64);
    at::Tensor img = at::arange(dn, i64).floor_divide(kSwdPatches).view({dn, 1, 1, 1});
    at::Tensor idx = ((img * 3 + ch) * H + (py.view({dn, 1, 1, 1}) + dy)) * W + (px.view({dn, 1, 1, 1}) + dx);
    desc.slice(0, d0, d0 + dn).copy_(lev.flatten().index_select(0, idx.flatten()).view({dn, kSwdDim}));
  }
  // Per-channel mean and population std over all patches x 49 pixels, in double, two passes.
  at::Tensor v = desc.view({n_desc, 3, 49});
  const double count = static_cast<double>(n_desc) * 49.0;
  at::Tensor mean = at::sum(v, at::IntArrayRef{0, 2}, false, at::kDouble) / count;
  at::Tensor sq = at::zeros({3}, mean.options());
  constexpr int64_t kChunk = 1 << 20;
  for (int64_t r = 0; r < n_desc; r += kChunk) {
    at::Tensor part = v.slice(0, r, std::min(n_desc, r + kChunk)).to(at::kDouble) - mean.view({1, 3, 1});
    sq += part.pow(2).sum(at::IntArrayRef{0, 2});
  }
  at::Tensor sd = (sq / count).sqrt();
  sd = at::where(sd > 0, sd, at::ones_like(sd));  // a constant channel stays all zeros
  v.sub_(mean.to(at::kFloat).view({1, 3, 1})).div_(sd.to(at::kFloat).view({1, 3, 1}));
  return desc;
}

}  // namespace

SwdResult torch_swd(ImageSet& real, ImageSet& fake, const SwdOptions& opt, const std::string& name) {
  const at::Device device = torch_device(name);
  const SwdPlan plan = make_swd_plan(real, fake, opt);
  const int64_t n_desc = plan.n * kSwdPatches;
  Progress progress("swd", static_cast<int64_t>(plan.levels) * (2 + kSwdRepeats), opt.progress, "step");
  SwdResult result;
  result.resolutions = plan.resolutions;
  for (int lv = 0; lv < plan.levels; ++lv) {
    at::Tensor a = descriptors(real, plan.real, plan, lv, opt.batch, device);
    progress.add(1);
    at::Tensor b = descriptors(fake, plan.fake, plan, lv, opt.batch, device);
    progress.add(1);
    double sum = 0;
    for (int r = 0; r < kSwdRepeats; ++r) {
      const auto& d = plan.dirs[static_cast<size_t>(lv * kSwdRepeats + r)];  // 128 x 147
      at::Tensor dirs = at::from_blob(const_cast<float*>(d.data()), {kSwdDirs, kSwdDim}, at::kFloat).to(device).t();
      at::Tensor sa = std::get<0>(at::sort(at::mm(a, dirs), 0));
      at::Tensor sb = std::get<0>(at::sort(at::mm(b, dirs), 0));
      sum += (sa - sb).abs().sum(at::kDouble).item<double>() / (static_cast<double>(n_desc) * kSwdDirs);
      progress.add(1);
    }
    result.swd.push_back(sum / kSwdRepeats * 1e3);
  }
  progress.finish();
  double total = 0;
  for (double v : result.swd) total += v;
  result.average = total / plan.levels;
  return result;
}

}  // namespace gankit
