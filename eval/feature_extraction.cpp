// gan-eval features on LibTorch: part of the module libgankit_eval_torch.so (torch_module.h).
#include <torch/nn/modules/batchnorm.h>
#include <torch/torch.h>

#include <chrono>
#include <optional>

#include "device.h"
#include "discriminator_features.h"
#include "error.h"
#include "feature_store.h"
#include "gan_models.h"
#include "generate.h"
#include "hdf5_store.h"
#include "image_tensor.h"
#include "torch_module.h"

namespace gankit {

namespace {

struct LoadedDiscriminator {
  DcganDiscriminator d{nullptr};
  TrainConfig config;
  CheckpointMeta meta;
};

LoadedDiscriminator load_discriminator(const FeatureJob& job, const c10::Device& device) {
  const std::filesystem::path ckpt = resolve_checkpoint(job.checkpoint);
  LoadedDiscriminator out;
  if (job.kind == FeatureKind::RandomInit) {
    out.meta = read_checkpoint_meta(ckpt);
    out.config = from_json(out.meta.config);
  } else {
    LoadedModels loaded = load_models(ckpt, device);
    out.meta = loaded.meta;
    out.config = loaded.config;
    out.d = loaded.models.d;
  }
  GANKIT_CHECK_USAGE(out.config.arch != GanArch::Progan,
                     "{} is a progan checkpoint: features are defined for DCGAN-family discriminators", ckpt.string());
  if (job.kind == FeatureKind::RandomInit) {
    out.config.seed = job.seed;  // the run's architecture with fresh weights of --seed
    out.d = make_models(out.config, device).d;
  }
  return out;
}

// True when some BatchNorm layer of D never saw a training minibatch (e.g. a step-0 checkpoint).
bool batchnorm_untracked(DcganDiscriminator& d) {
  for (auto& m : d->modules(false))
    if (auto* bn = m->as<torch::nn::BatchNorm2d>())
      if (bn->num_batches_tracked.item<int64_t>() == 0) return true;
  return false;
}

}  // namespace

FeatureJobSummary torch_extract_features(const FeatureJob& job) {
  const auto t0 = std::chrono::steady_clock::now();
  GANKIT_CHECK_USAGE(!job.splits.empty(), "no images to extract features from");
  GANKIT_CHECK_USAGE(job.batch >= 1, GANKIT_SETTING("batch") " {} must be positive", job.batch);
  GANKIT_CHECK_USAGE(job.bn_images >= 0, GANKIT_SETTING("bn_images") " {} must not be negative", job.bn_images);
  set_torch_threads(job.threads);
  const c10::Device device = torch_device(job.device);

  std::vector<std::unique_ptr<PyramidReader>> readers;
  for (const auto& s : job.splits) readers.push_back(std::make_unique<PyramidReader>(s.path));

  FeatureJobSummary summary;
  summary.kind = job.kind;
  std::optional<LoadedDiscriminator> net;
  if (job.kind == FeatureKind::RawPixels) {
    GANKIT_CHECK_USAGE(
        job.layers.empty(),
        GANKIT_SETTING("layers") " applies to discriminator features, not to " GANKIT_SETTING("raw_pixels"));
    summary.resolution = job.resolution > 0 ? job.resolution : readers[0]->info().resolution;
    summary.channels = readers[0]->channels();
    summary.layout.dims = static_cast<int64_t>(summary.channels) * summary.resolution * summary.resolution;
  } else {
    net = load_discriminator(job, device);
    summary.resolution = net->config.resolution;
    summary.channels = net->config.channels;
    GANKIT_CHECK_USAGE(job.resolution == 0 || job.resolution == summary.resolution,
                       GANKIT_SETTING("resolution") " {}: the discriminator of {} takes {}x{} images", job.resolution,
                       job.checkpoint.string(), summary.resolution, summary.resolution);
    summary.layout = feature_layout(net->d->shape(), job.layers, job.pool);
  }
  for (size_t i = 0; i < readers.size(); ++i) {
    readers[i]->require_level(summary.resolution);
    GANKIT_CHECK_DATA(readers[i]->channels() == summary.channels, "{} has {}-channel images but {} {}",
                      job.splits[i].path.string(), readers[i]->channels(),
                      net ? "the discriminator takes" : "the first split has", summary.channels);
  }
  // Open the output before the long work, so a bad output path fails at once.
  FeatureWriter writer(job.out, summary.layout.dims, job.overwrite);

  const int r = summary.resolution;
  summary.bn_statistics = "-";
  if (net) {
    DcganDiscriminator& d = net->d;
    d->eval();
    if (has_batchnorm(d)) {
      const bool estimate =
          job.bn == BnStatistics::Data || job.kind == FeatureKind::RandomInit || batchnorm_untracked(d);
      if (estimate) {
        const PyramidReader& first = *readers[0];
        const int64_t n = job.bn_images > 0 ? std::min(job.bn_images, first.count()) : first.count();
        Progress progress("batchnorm statistics", n, job.progress);
        int64_t next = 0;
        const int64_t batches = estimate_batchnorm_statistics(d, [&]() -> torch::Tensor {
          if (next >= n) return {};
          const int64_t b = std::min<int64_t>(kBnEstimateBatch, n - next);
          const ImageBatch images = first.read(r, next, b);
          next += b;
          progress.add(b);
          return images_to_tensor(images, 0, b).to(device);
        });
        progress.finish();
        summary.bn_statistics = fmt::format("estimated over {} images of {} ({} minibatches of {})", n,
                                            job.splits[0].path.string(), batches, kBnEstimateBatch);
      } else {
        summary.bn_statistics = "the checkpoint's running averages";
      }
    }
  }

  for (size_t i = 0; i < readers.size(); ++i) {
    const PyramidReader& reader = *readers[i];
    const std::string& name = job.splits[i].name;
    const std::vector<int64_t> labels = reader.labels();
    writer.add_split(name, reader.count(), labels, job.splits[i].path.string());
    Progress progress("features " + name, reader.count(), job.progress);
    for (int64_t start = 0; start < reader.count(); start += job.batch) {
      const int64_t n = std::min<int64_t>(job.batch, reader.count() - start);
      const torch::Tensor x = images_to_tensor(reader.read(r, start, n), 0, n);
      torch::Tensor f = net ? discriminator_features(net->d, x.to(device), summary.layout).to(torch::kCPU)
                            : x.reshape({n, summary.layout.dims});
      f = f.contiguous();
      writer.write_rows(name, start, n, f.data_ptr<float>());
      progress.add(n);
    }
    progress.finish();
    summary.split_counts.emplace_back(name, reader.count());
  }

  std::string layers, layer_dims;
  for (const FeatureLayer& l : summary.layout.layers) {
    layers += (layers.empty() ? "" : ",") + std::to_string(l.index);
    layer_dims += (layer_dims.empty() ? "" : ",") + std::to_string(l.dims);
  }
  writer.set_attribute("kind", to_string(job.kind));
  writer.set_attribute("resolution", std::to_string(r));
  writer.set_attribute("channels", std::to_string(summary.channels));
  writer.set_attribute("dims", std::to_string(summary.layout.dims));
  if (net) {
    writer.set_attribute("checkpoint", job.checkpoint.string());
    writer.set_attribute("checkpoint_step", std::to_string(net->meta.state.step));
    writer.set_attribute("train_config", net->meta.config.dump());
    writer.set_attribute("layers", layers);
    writer.set_attribute("layer_dims", layer_dims);
    writer.set_attribute("pool", std::to_string(job.pool));
    writer.set_attribute("bn_statistics", summary.bn_statistics);
  }
  if (job.kind == FeatureKind::RandomInit) writer.set_attribute("seed", std::to_string(job.seed));
  writer.commit();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace gankit
