#include "hash_autoencoder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <chrono>
#include <cmath>

#include "archive_io.h"
#include "error.h"
#include "hdf5_store.h"
#include "rng.h"

namespace gankit {

namespace {

constexpr const char* kFormat = "gankit-dedup-autoencoder-1";
constexpr uint64_t kInitStream = 0x61652d696e6974ull;     // "ae-init"
constexpr uint64_t kShuffleStream = 0x61652d7368756full;  // "ae-shuo"
constexpr uint64_t kNoiseStream = 0x61652d6e6f6973ull;    // "ae-nois"

// The denoising corruption of hash_autoencoder_options.h on (b, 3072) [0, 1] CPU images.
torch::Tensor corrupt(const torch::Tensor& clean01, const HashAutoencoderOptions& o, at::Generator& gen) {
  const int64_t b = clean01.size(0);
  constexpr int64_t side = 32;
  torch::Tensor img = clean01.view({b, 3, side, side});
  auto uniform = [&](double bound, int64_t n) { return (torch::rand({n}, gen) * 2 - 1) * bound; };
  if (o.resample < 1) {
    // Per image: with probability 1/2, down to side * u and back up (one interpolate per size).
    const torch::Tensor draw = torch::rand({b, 2}, gen);
    img = img.clone();
    for (int64_t i = 0; i < b; ++i) {
      if (draw[i][0].item<float>() >= 0.5f) continue;
      const double u = o.resample + (1 - o.resample) * draw[i][1].item<double>();
      const int64_t small = std::max<int64_t>(4, std::lround(side * u));
      if (small >= side) continue;
      namespace F = torch::nn::functional;
      const torch::Tensor x = img.slice(0, i, i + 1);
      const torch::Tensor down = F::interpolate(x, F::InterpolateFuncOptions()
                                                       .size(std::vector<int64_t>{small, small})
                                                       .mode(torch::kBilinear)
                                                       .align_corners(false)
                                                       .antialias(true));
      img.slice(0, i, i + 1)
          .copy_(F::interpolate(down, F::InterpolateFuncOptions()
                                          .size(std::vector<int64_t>{side, side})
                                          .mode(torch::kBilinear)
                                          .align_corners(false)));
    }
  }
  if (o.shift > 0 || o.scale > 0) {
    const torch::Tensor theta = torch::zeros({b, 2, 3});
    const torch::Tensor s = 1 + uniform(o.scale, b);
    theta.select(1, 0).select(1, 0).copy_(s);
    theta.select(1, 1).select(1, 1).copy_(s);
    // affine_grid works in [-1, 1] coordinates: one pixel is 2 / side.
    theta.select(1, 0).select(1, 2).copy_(uniform(o.shift * 2.0 / side, b));
    theta.select(1, 1).select(1, 2).copy_(uniform(o.shift * 2.0 / side, b));
    const torch::Tensor grid = at::affine_grid_generator(theta, {b, 3, side, side}, false);
    img = at::grid_sampler(img, grid, /*bilinear*/ 0, /*border*/ 1, false);
  }
  if (o.brightness > 0) img = img * (1 + uniform(o.brightness, b)).view({b, 1, 1, 1});
  if (o.noise > 0) img = img + torch::randn(img.sizes(), gen) * o.noise;
  return img.reshape({b, kHashInputUnits});
}

}  // namespace

HashAutoencoderImpl::HashAutoencoderImpl() {
  encoder = register_module("encoder", torch::nn::Linear(kHashInputUnits, kHashCodeUnits));
  decoder = register_module("decoder", torch::nn::Linear(kHashCodeUnits, kHashInputUnits));
  mean = register_buffer("mean", torch::zeros({kHashInputUnits}));
  inv_std = register_buffer("inv_std", torch::ones({1}));
}

torch::Tensor HashAutoencoderImpl::standardise(const torch::Tensor& pixels) const {
  return (pixels.to(mean.device(), torch::kFloat32).div(255.0f) - mean) * inv_std;
}

torch::Tensor HashAutoencoderImpl::encode(const torch::Tensor& x) { return encoder->forward(x); }

torch::Tensor HashAutoencoderImpl::forward(const torch::Tensor& x, double dropout) {
  torch::Tensor code = torch::relu(encode(x));
  if (is_training() && dropout > 0) code = torch::dropout(code, dropout, true);
  return decoder->forward(code);
}

HashTrainStats train_hash_autoencoder(HashAutoencoder& model, const torch::Tensor& pixels,
                                      const HashAutoencoderOptions& o, const c10::Device& device,
                                      const std::function<void(int, double)>& on_epoch) {
  const auto t0 = std::chrono::steady_clock::now();
  GANKIT_CHECK(pixels.dim() == 2 && pixels.size(1) == kHashInputUnits && pixels.scalar_type() == torch::kUInt8,
               Internal, "training pixels must be uint8 (n, 3072)");
  const int64_t n = pixels.size(0);
  HashTrainStats stats;
  stats.samples = n;

  torch::manual_seed(derive_seed(o.seed, kInitStream, 0));
  model = HashAutoencoder();
  {
    // Standardisation from the training sample (float64 sums: exact enough for millions of rows).
    torch::NoGradGuard no_grad;
    const torch::Tensor x = pixels.to(torch::kFloat64).div(255.0);
    const torch::Tensor mean = x.mean(0);
    const double var = (x - mean).pow(2).mean().item<double>();
    model->mean.copy_(mean.to(torch::kFloat32));
    model->inv_std.fill_(1.0 / std::sqrt(std::max(var, 1e-8)));
  }
  model->to(device);
  model->train();
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(o.lr));
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    auto shuffle_gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed(o.seed, kShuffleStream, epoch));
    auto noise_gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed(o.seed, kNoiseStream, epoch));
    const torch::Tensor perm = torch::randperm(n, shuffle_gen, torch::kLong);
    double loss_sum = 0;
    int64_t seen = 0;
    for (int64_t start = 0; start < n; start += o.batch) {
      const int64_t b = std::min<int64_t>(o.batch, n - start);
      const torch::Tensor idx = perm.slice(0, start, start + b);
      const torch::Tensor clean01 = pixels.index_select(0, idx).to(torch::kFloat32).div_(255.0f);
      const torch::Tensor noisy01 = corrupt(clean01, o, noise_gen).to(device);
      const torch::Tensor target = (clean01.to(device) - model->mean) * model->inv_std;
      const torch::Tensor input = (noisy01 - model->mean) * model->inv_std;
      const torch::Tensor pre = model->encode(input);
      torch::Tensor code = torch::relu(pre);
      if (o.dropout > 0) code = torch::dropout(code, o.dropout, true);
      torch::Tensor loss = torch::mse_loss(model->decoder->forward(code), target);
      if (o.margin_weight > 0) {
        const torch::Tensor pre_clean = model->encode(target);
        const torch::Tensor sd = pre_clean.detach().std(0, true, true).clamp_min(1e-6);
        const torch::Tensor sign = pre_clean.detach().sign();
        const torch::Tensor hinge =
            torch::relu(o.margin - sign * pre_clean / sd).mean() + torch::relu(o.margin - sign * pre / sd).mean();
        loss = loss + o.margin_weight * hinge;
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>() * static_cast<double>(b);
      seen += b;
    }
    stats.epoch_loss.push_back(loss_sum / static_cast<double>(seen));
    if (on_epoch) on_epoch(epoch, stats.epoch_loss.back());
  }
  model->eval();
  {
    torch::NoGradGuard no_grad;
    double sum = 0;
    for (int64_t start = 0; start < n; start += 4096) {
      const torch::Tensor x = model->standardise(pixels.slice(0, start, std::min<int64_t>(start + 4096, n)));
      sum += torch::mse_loss(model->forward(x, 0), x, torch::Reduction::Sum).item<double>();
    }
    stats.clean_loss = sum / static_cast<double>(n * kHashInputUnits);
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

torch::Tensor hash_preactivations(HashAutoencoder& model, const torch::Tensor& pixels) {
  torch::NoGradGuard no_grad;
  model->eval();
  return model->encode(model->standardise(pixels)).to(torch::kCPU);
}

torch::Tensor code_positions(HashAutoencoder& model, const torch::Tensor& preactivations) {
  torch::NoGradGuard no_grad;
  const torch::Tensor norms =
      model->encoder->weight.detach().to(torch::kCPU, torch::kFloat64).norm(2, 1).clamp_min(1e-12);
  const double inv_std = model->inv_std.to(torch::kCPU).item<double>();
  const torch::Tensor scale = (255.0 / (inv_std * std::sqrt(double{kHashInputUnits}))) / norms;
  return (preactivations.to(torch::kCPU, torch::kFloat64) * scale).to(torch::kFloat32);
}

torch::Tensor flip_distances(HashAutoencoder& model, const torch::Tensor& preactivations) {
  return code_positions(model, preactivations).abs();
}

void save_hash_autoencoder(const std::filesystem::path& path, HashAutoencoder& model,
                           const HashAutoencoderOptions& options, const HashTrainStats& stats,
                           const nlohmann::json& extra) {
  const nlohmann::json meta = {{"format", kFormat},
                               {"tool_version", tool_version()},
                               {"architecture", "3072-128-3072 ReLU autoencoder, 32x32 RGB centre crops"},
                               {"options", options.to_json()},
                               {"samples", stats.samples},
                               {"epoch_loss", stats.epoch_loss},
                               {"clean_loss", stats.clean_loss},
                               {"seconds", stats.seconds},
                               {"extra", extra}};
  torch::serialize::OutputArchive archive, weights;
  model->save(weights);
  archive.write("model", weights);
  archive.write("meta", c10::IValue(meta.dump()));
  save_archive(archive, path, "dedup model");
}

HashAutoencoder load_hash_autoencoder(const std::filesystem::path& path, const c10::Device& device,
                                      nlohmann::json* meta_out) {
  auto archive = open_archive(path, device, "dedup model");
  const std::string record = read_meta_record(archive, path, "dedup model");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(record);
  } catch (const std::exception&) {
    fail(ErrorKind::Data, fmt::format("{}: corrupt meta record", path.string()));
  }
  GANKIT_CHECK_DATA(meta.value("format", "") == kFormat, "{} is not a gankit dedup model (format '{}', expected '{}')",
                    path.string(), meta.value("format", ""), kFormat);
  HashAutoencoder model;
  torch::serialize::InputArchive weights;
  try {
    archive.read("model", weights);
    model->load(weights);
  } catch (const std::exception& e) {
    fail(ErrorKind::Data, fmt::format("{}: corrupt dedup model weights", path.string()));
  }
  model->to(device);
  model->eval();
  if (meta_out) *meta_out = std::move(meta);
  return model;
}

}  // namespace gankit
