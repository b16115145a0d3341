// backbone.h on LibTorch: part of the module libgankit_eval_torch.so (torch_module.h).
#include <torch/script.h>
#include <torch/torch.h>

#include <map>
#include <optional>

#include "backbone.h"
#include "device.h"
#include "discriminator_features.h"
#include "error.h"
#include "gan_models.h"
#include "generate.h"
#include "torch_module.h"

namespace gankit {

namespace {

// One loaded backbone: a TorchScript module or a DCGAN discriminator.
struct LoadedBackbone {
  BackboneIdentity id;
  std::optional<torch::jit::Module> script;
  DcganDiscriminator d{nullptr};
  FeatureLayout layout;
  int channels = 3;
  c10::Device device = torch::kCPU;
};

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

void load_script(const BackboneSpec& spec, LoadedBackbone& b) {
  try {
    b.script = torch::jit::load(spec.name, b.device);
  } catch (const c10::Error& e) {
    fail(ErrorKind::Data, fmt::format("{} is not a TorchScript module (a torch.jit.save file): {}", spec.name,
                                      first_line(e.what_without_backtrace())));
  }
  b.script->eval();
  if (spec.size > 0) {
    b.id.input_size = spec.size;
  } else {
    GANKIT_CHECK_USAGE(b.script->hasattr("input_size") && b.script->attr("input_size").isInt(),
                       "{} has no integer attribute input_size: pass " GANKIT_SETTING(
                           "backbone_size") " S (e.g. 299 for Inception v3)",
                       spec.name);
    b.id.input_size = static_cast<int>(b.script->attr("input_size").toInt());
  }
  b.id.hash = file_hash(spec.name);
}

void load_discriminator(const BackboneSpec& spec, LoadedBackbone& b) {
  const std::filesystem::path ckpt = resolve_checkpoint(spec.name.substr(2));
  LoadedModels loaded = load_models(ckpt, b.device);
  GANKIT_CHECK_USAGE(loaded.config.arch != GanArch::Progan,
                     GANKIT_SETTING("backbone") " {}: {} is a progan checkpoint; discriminator features are defined for DCGAN-family "
                     "discriminators",
                     spec.name, ckpt.string());
  b.d = loaded.models.d;
  b.d->eval();
  b.layout = feature_layout(b.d->shape(), {}, 4);
  b.channels = loaded.config.channels;
  GANKIT_CHECK_USAGE(spec.size == 0 || spec.size == loaded.config.resolution,
                     GANKIT_SETTING("backbone_size") " {}: the discriminator of {} takes {}x{} images", spec.size,
                     ckpt.string(), loaded.config.resolution, loaded.config.resolution);
  b.id.input_size = loaded.config.resolution;
  b.id.hash = file_hash(ckpt);
}

LoadedBackbone& loaded(const BackboneSpec& spec) {
  static std::map<std::string, LoadedBackbone> cache;  // by name, size, device
  const std::string key = fmt::format("{}|{}|{}", spec.name, spec.size, spec.device);
  auto it = cache.find(key);
  if (it != cache.end()) {
    it->second.id.resize = to_string(spec.resize);
    return it->second;
  }
  GANKIT_CHECK_USAGE(!spec.name.empty(), "give " GANKIT_SETTING("backbone") " FILE.pt (TorchScript) or " GANKIT_SETTING(
                                             "backbone") " d:RUN");
  LoadedBackbone b;
  b.device = torch_device(spec.device);
  b.id.name = spec.name;
  b.id.resize = to_string(spec.resize);
  if (spec.name.rfind("d:", 0) == 0) {
    load_discriminator(spec, b);
  } else {
    GANKIT_CHECK_DATA(std::filesystem::is_regular_file(spec.name), GANKIT_SETTING("backbone") " {}: no such file",
                      spec.name);
    load_script(spec, b);
  }
  return cache.emplace(key, std::move(b)).first->second;
}

torch::Tensor run_script(LoadedBackbone& b, const torch::Tensor& x, const std::string& name) {
  c10::IValue out;
  try {
    out = b.script->forward({x});
  } catch (const c10::Error& e) {
    fail(ErrorKind::Data, fmt::format("{} failed on a batch of shape [{}]: {}", name, fmt::join(x.sizes(), ", "),
                                      first_line(e.what_without_backtrace())));
  }
  GANKIT_CHECK_DATA(out.isTensor(), "{} returned a {}, not a tensor: a backbone returns (N, D) features", name,
                    out.tagKind());
  torch::Tensor f = out.toTensor();
  GANKIT_CHECK_DATA(f.dim() == 2 && f.size(0) == x.size(0),
                    "{} returned a tensor of shape [{}] for {} images: a backbone returns (N, D) features", name,
                    fmt::join(f.sizes(), ", "), x.size(0));
  return f;
}

}  // namespace

BackboneIdentity torch_backbone_identity(const BackboneSpec& spec) {
  set_torch_threads(spec.threads);
  return loaded(spec).id;
}

FeatureMatrix torch_backbone_features(const BackboneSpec& spec, ImageSet& images, const ProgressOptions& progress,
                                      const std::string& label) {
  GANKIT_CHECK_USAGE(spec.batch >= 1, GANKIT_SETTING("batch") " {} must be positive", spec.batch);
  set_torch_threads(spec.threads);
  LoadedBackbone& b = loaded(spec);
  const bool disc = static_cast<bool>(b.d);
  if (disc)
    GANKIT_CHECK_DATA(images.channels() == b.channels || images.channels() == 1,
                      "{} holds {}-channel images but the discriminator of {} takes {}-channel ones", label,
                      images.channels(), spec.name, b.channels);
  torch::NoGradGuard no_grad;
  const int s = b.id.input_size;
  const int64_t n = images.count();
  FeatureMatrix out;
  Progress bar("features " + label, n, progress, "images");
  ImageBatch batch;
  std::vector<float> pixels;
  for (int64_t start = 0; start < n; start += spec.batch) {
    const int64_t k = std::min<int64_t>(spec.batch, n - start);
    images.read(start, k, batch);
    pixels.resize(static_cast<size_t>(k) * 3 * s * s);
    resize_for_backbone(batch, 0, k, s, spec.resize, pixels.data());
    torch::Tensor x = torch::from_blob(pixels.data(), {k, 3, s, s}, torch::kFloat32);
    torch::Tensor f;
    if (disc) {  // [-1, 1], D's channels (a grey D reads the first of the repeated channels)
      x = x.slice(1, 0, b.channels).div(127.5).sub(1.0);
      f = discriminator_features(b.d, x.contiguous().to(b.device), b.layout);
    } else {
      f = run_script(b, x.to(b.device), spec.name);
    }
    f = f.to(torch::kCPU, torch::kFloat32).contiguous();
    if (out.dim == 0) out = FeatureMatrix(n, f.size(1));
    GANKIT_CHECK_DATA(f.size(1) == out.dim, "{} returned {} features per image, then {}", spec.name, out.dim,
                      f.size(1));
    std::copy(f.data_ptr<float>(), f.data_ptr<float>() + k * out.dim, out.row(start));
    bar.add(k);
  }
  bar.finish();
  check_finite(out, label);
  return out;
}

}  // namespace gankit
