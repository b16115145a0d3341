#include "generate.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "error.h"
#include "image_tensor.h"
#include "rng.h"

namespace gankit {

namespace fs = std::filesystem;

namespace {
constexpr uint64_t kGenerateStream = 0x47454e45ull;  // "GENE"
}

fs::path resolve_checkpoint(const fs::path& run_or_checkpoint) {
  if (fs::is_directory(run_or_checkpoint)) {
    const fs::path latest = run_or_checkpoint / "checkpoints" / "latest.pt";
    GANKIT_CHECK_DATA(fs::is_regular_file(latest), "{} is a folder without checkpoints/latest.pt (not a gan-train run)",
                      run_or_checkpoint.string());
    return latest;
  }
  GANKIT_CHECK_DATA(fs::is_regular_file(run_or_checkpoint), "{} does not exist", run_or_checkpoint.string());
  return run_or_checkpoint;
}

int LoadedGenerator::resolution() const { return g_ema ? level_resolution(level) : config.resolution; }

torch::Tensor LoadedGenerator::forward(const torch::Tensor& z) {
  if (g_ema) return g_ema->forward(z, level, alpha);
  g->eval();
  return g->forward(z);
}

LoadedGenerator load_generator(const fs::path& checkpoint, const c10::Device& device, int resolution) {
  LoadedModels loaded = load_models(checkpoint, device);
  LoadedGenerator out;
  out.config = loaded.config;
  out.state = loaded.meta.state;
  if (out.config.arch != GanArch::Progan) {
    GANKIT_CHECK_USAGE(resolution == 0 || resolution == out.config.resolution,
                       GANKIT_SETTING("resolution") " {}: {} is a {} checkpoint of {}x{} images", resolution,
                       checkpoint.string(), to_string(out.config.arch), out.config.resolution, out.config.resolution);
    out.g = loaded.models.g;
    out.g->eval();
    return out;
  }
  out.g_ema = loaded.models.pg_ema;
  out.g_ema->eval();
  const ProganPosition pos = progan_schedule(out.config).at(out.state.images);
  out.level = pos.level;
  out.alpha = pos.alpha;
  if (resolution != 0 && resolution != out.resolution()) {
    int level = -1;
    for (int l = 0; l < pos.level; ++l)
      if (level_resolution(l) == resolution) level = l;
    GANKIT_CHECK_USAGE(level >= 0,
                       GANKIT_SETTING("resolution") " {}: {} has grown to {}x{} (levels 4 .. {} can be sampled)",
                       resolution, checkpoint.string(), out.resolution(), out.resolution(), out.resolution());
    out.level = level;
    out.alpha = 1.0;
  }
  return out;
}

torch::Tensor latents(int z_dim, int64_t first, int64_t n, uint64_t seed) {
  torch::Tensor z = torch::empty({n, z_dim});
  for (int64_t i = 0; i < n; ++i) {
    at::Generator gen =
        at::detail::createCPUGenerator(derive_seed(seed, kGenerateStream, static_cast<uint64_t>(first + i)));
    z[i].copy_(torch::randn({z_dim}, gen));
  }
  return z;
}

ImageBatch generate_images(LoadedGenerator& g, int64_t first, int64_t n, uint64_t seed, const c10::Device& device) {
  torch::NoGradGuard no_grad;
  return tensor_to_images(g.forward(latents(g.z_dim(), first, n, seed).to(device)));
}

ImageBatch interpolation_grid(LoadedGenerator& g, int rows, int cols, uint64_t seed, const c10::Device& device) {
  GANKIT_CHECK_USAGE(rows >= 1 && cols >= 2, "an interpolation grid needs at least 1 row and 2 columns ({} x {})", rows,
                     cols);
  const torch::Tensor ends = latents(g.z_dim(), 0, 2 * rows, seed).to(torch::kDouble);
  std::vector<torch::Tensor> zs;
  for (int r = 0; r < rows; ++r) {
    const torch::Tensor a = ends[2 * r], b = ends[2 * r + 1];
    const double omega = std::acos(std::clamp((a / a.norm()).dot(b / b.norm()).item<double>(), -1.0, 1.0));
    for (int c = 0; c < cols; ++c) {
      const double t = static_cast<double>(c) / (cols - 1);
      if (omega < 1e-6)
        zs.push_back((1 - t) * a + t * b);
      else
        zs.push_back((std::sin((1 - t) * omega) * a + std::sin(t * omega) * b) / std::sin(omega));
    }
  }
  torch::NoGradGuard no_grad;
  return tensor_to_images(g.forward(torch::stack(zs).to(torch::kFloat).to(device)));
}

}  // namespace gankit
