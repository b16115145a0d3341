// SWD's torch backend on a GPU: the paper setting (16384 images of 128x128 per set) timed end
// to end (random draws, pyramids, descriptors, projections, sorts), after a small warm-up that
// pays for CUDA's start, and the agreement of the GPU with LibTorch's CPU path on a smaller set.
//
//   bench_swd_cuda [N=16384] [RES=128] [DEVICE=cuda]
// Images are synthetic (smooth random fields plus noise, a second set slightly blurred and
// brightened), made in memory: the figure is the metric's time, not a decoder's.
#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "device.h"
#include "image_set.h"
#include "swd.h"
#include "torch_module.h"

namespace {

using namespace gankit;

class MemorySet : public ImageSet {
 public:
  explicit MemorySet(ImageBatch b) : b_(std::move(b)) {}
  int64_t count() const override { return b_.n; }
  int channels() const override { return b_.c; }
  int height() const override { return b_.h; }
  int width() const override { return b_.w; }
  void read(int64_t start, int64_t n, ImageBatch& out) override {
    if (out.n != n || out.c != b_.c || out.h != b_.h || out.w != b_.w) out = ImageBatch(n, b_.c, b_.h, b_.w);
    std::copy(b_.image(start), b_.image(start) + static_cast<size_t>(n) * b_.image_bytes(), out.data.data());
  }

 private:
  ImageBatch b_;
};

// Upsampled low-resolution noise plus fine noise, in 0..255 (made with ATen on the CPU).
ImageBatch synthetic(int64_t n, int res, uint64_t seed, double blur, double shift) {
  at::manual_seed(seed);
  ImageBatch out(n, 3, res, res);
  const int64_t block = 512;
  for (int64_t s = 0; s < n; s += block) {
    const int64_t m = std::min(block, n - s);
    at::Tensor coarse = at::randn({m, 3, res / 8, res / 8});
    at::Tensor x = at::upsample_bilinear2d(coarse, {res, res}, false) * 50 + at::randn({m, 3, res, res}) * 20;
    if (blur > 0) x = at::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}) * (1 - blur) + x * blur;
    x = (x + 128 + shift).clamp(0, 255).round().to(at::kByte).contiguous();
    std::copy(x.data_ptr<uint8_t>(), x.data_ptr<uint8_t>() + x.numel(), out.image(s));
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void print(const char* what, const SwdResult& r, double secs) {
  std::printf("%-34s", what);
  for (size_t i = 0; i < r.swd.size(); ++i) std::printf(" %4d:%8.3f", r.resolutions[i], r.swd[i]);
  std::printf("  avg %8.3f  %7.2f s\n", r.average, secs);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 16384;
  const int res = argc > 2 ? std::atoi(argv[2]) : 128;
  const std::string device = argc > 3 ? argv[3] : "cuda";
  try {
    if (!torch_device_available(device)) {
      std::fprintf(stderr, "bench_swd_cuda: %s is not available to this LibTorch\n", device.c_str());
      return 1;
    }
    set_torch_threads(0);
    SwdOptions opt;
    opt.progress.quiet = true;
    opt.batch = 1024;
    {  // warm-up: CUDA context, kernels, allocator
      MemorySet a(synthetic(256, res, 1, 0, 0)), b(synthetic(256, res, 2, 0.5, 4));
      torch_swd(a, b, opt, device);
    }
    // Agreement: the same small sets on the GPU and on LibTorch's CPU path.
    {
      MemorySet a(synthetic(512, 64, 3, 0, 0)), b(synthetic(512, 64, 4, 0.5, 4));
      auto t = std::chrono::steady_clock::now();
      const SwdResult g = torch_swd(a, b, opt, device);
      print("512 x 64x64 on the GPU", g, seconds_since(t));
      t = std::chrono::steady_clock::now();
      const SwdResult c = torch_swd(a, b, opt, "cpu");
      print("512 x 64x64 on the CPU (torch)", c, seconds_since(t));
      std::printf("relative difference of the averages: %.2e\n", std::abs(g.average - c.average) / c.average);
    }
    auto t = std::chrono::steady_clock::now();
    MemorySet real(synthetic(n, res, 5, 0, 0)), fake(synthetic(n, res, 6, 0.5, 4));
    std::printf("made 2 x %lld images of %dx%d in %.1f s\n", static_cast<long long>(n), res, res, seconds_since(t));
    for (int rep = 0; rep < 2; ++rep) {
      t = std::chrono::steady_clock::now();
      const SwdResult r = torch_swd(real, fake, opt, device);
      char what[64];
      std::snprintf(what, sizeof what, "%lld x %dx%d on %s (run %d)", static_cast<long long>(n), res, res,
                    device.c_str(), rep + 1);
      print(what, r, seconds_since(t));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_swd_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}
