// GanModels — the trainable state of a gan-train run: G, D and their optimisers (and, for
// ProGAN, the moving average of G that makes its samples), built from a TrainConfig, and its
// checkpoint file.
//
// Checkpoint (a LibTorch archive, written under a temporary name and renamed):
//   G, D          module archives (parameters and BatchNorm running statistics)
//   G_ema         progan: the moving-average generator
//   opt_g, opt_d  optimiser archives (Adam moments / RMSprop averages and step counts)
//   meta          JSON string: {"format": 1, "tool_version", "config": TrainConfig JSON,
//                 "state": {"step", "real_batches", "seconds", "images", "opt_segment"}}
// Every random draw of a run is a function of (seed, step) or (seed, epoch) (see rng.h), so
// this is all an exact resume needs.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "dcgan.h"
#include "progan.h"
#include "progan_schedule.h"
#include "train_config.h"

namespace gankit {

struct TrainState {
  int64_t step = 0;          // generator steps done
  int64_t real_batches = 0;  // real minibatches consumed (position in RealImages' stream)
  double seconds = 0;        // training time so far
  int64_t images = 0;        // progan: real images shown to D (the schedule's clock)
  int opt_segment = 0;       // progan: the schedule segment the optimiser states belong to
};

struct GanModels {
  // dcgan, dcgan-selu
  DcganGenerator g{nullptr};
  DcganDiscriminator d{nullptr};
  // progan: G, its moving average (starts as a copy of G) and D
  ProganGenerator pg{nullptr}, pg_ema{nullptr};
  ProganDiscriminator pd{nullptr};
  std::unique_ptr<torch::optim::Optimizer> opt_g, opt_d;

  torch::nn::Module& generator();
  torch::nn::Module& discriminator();
};

// Replaces both optimisers by fresh ones (ProGAN starts every schedule segment so).
void reset_optimizers(GanModels& models, const TrainConfig& config);

// ProGAN's network shape and growth schedule for a config.
ProganShape progan_shape(const TrainConfig& config);
ProganSchedule progan_schedule(const TrainConfig& config);

// Builds G and D for `config` on `device`, initialised from derive_seed(config.seed, init
// stream) (the same weights for a seed on every run), with fresh optimisers.
GanModels make_models(const TrainConfig& config, const c10::Device& device);

struct CheckpointMeta {
  nlohmann::json config;
  TrainState state;
  std::string tool_version;
};

void save_checkpoint(const std::filesystem::path& path, GanModels& models, const TrainConfig& config,
                     const TrainState& state);
// Reads only the meta record. Throws Error(Data) naming the file when it is not a gankit checkpoint.
CheckpointMeta read_checkpoint_meta(const std::filesystem::path& path);
// Loads weights and optimiser states into models made by make_models() for the checkpoint's
// config; tensors land on `device`.
void load_checkpoint(const std::filesystem::path& path, GanModels& models, const c10::Device& device);

struct LoadedModels {
  CheckpointMeta meta;
  TrainConfig config;  // from meta.config
  GanModels models;
};
// The models of a checkpoint: built from its stored config and loaded with its weights.
LoadedModels load_models(const std::filesystem::path& path, const c10::Device& device);

}  // namespace gankit
