// TrainConfig — every setting of a gan-train run (the DCGAN family and Progressive GAN), with
// the defaults of the papers' official code per loss and architecture
// (docs/training.md), and its JSON form.
//
// The JSON form is the run's config.json and is stored in every checkpoint. Fields fall in two
// groups: training fields (what the model and its numbers depend on) must match when a run is
// resumed; run-time fields (length of the run, cadence of logs/samples/checkpoints, device,
// threads) may change between sessions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gankit {

enum class GanLoss { Gan, Wgan, WganGp, Lsgan };
enum class GanArch { Dcgan, DcganSelu, Progan };
enum class NormKind { Batch, Layer, None };  // the critic's normalisation (G uses BatchNorm in dcgan)
enum class OptimizerKind { Adam, RmsProp };
// Where the training data lives: in memory, streamed from the file, or in memory when the level
// fits in the data cache (auto).
enum class DataResidency { Auto, Memory, Stream };

GanLoss parse_loss(const std::string& name);             // gan | wgan | wgan-gp | lsgan; Error(Usage) otherwise
GanArch parse_arch(const std::string& name);             // dcgan | dcgan-selu | progan
NormKind parse_norm(const std::string& name);            // batch | layer | none
OptimizerKind parse_optimizer(const std::string& name);  // adam | rmsprop
DataResidency parse_residency(const std::string& name);  // auto | on (memory) | off (stream)
std::string to_string(GanLoss v);
std::string to_string(GanArch v);
std::string to_string(NormKind v);
std::string to_string(OptimizerKind v);
std::string to_string(DataResidency v);

struct TrainConfig {
  // Data: the pyramid level `resolution` of `data`, scaled to [-1, 1] (progan: every level from
  // 4x4 up to `resolution`, the final one).
  std::string data;              // absolute path
  std::string data_fingerprint;  // dataset_fingerprint() of the training level ("" in runs before it)
  int resolution = 32;
  int channels = 0;  // of the data (1 gray, 3 RGB); set from the file
  // Training data in memory or streamed (real_images.h), and the memory it may take: the order
  // of a streamed level depends on the cache size, so both are training fields. 0 MB: half of
  // this machine's memory, resolved (and recorded) when a run starts.
  DataResidency data_in_memory = DataResidency::Auto;
  int64_t data_cache_mb = 0;

  // Model.
  GanArch arch = GanArch::Dcgan;
  GanLoss loss = GanLoss::Gan;
  int z_dim = 100;
  int ngf = 64, ndf = 64;
  NormKind d_norm = NormKind::Batch;
  // Progressive GAN (arch progan): feature maps min(fmap_base / 2^stage, fmap_max), fade-in and
  // stabilisation lengths per level in thousands of real images, the drift penalty
  // drift * mean D(x)^2 added to the critic's loss, and the decay of G's moving average.
  int fmap_base = 8192, fmap_max = 512;
  double fade_kimg = 600, stable_kimg = 600;
  double drift = 0;
  double g_ema = 0.999;

  // Optimisation (defaults per loss: defaults_for()).
  OptimizerKind optimizer = OptimizerKind::Adam;
  double lr_g = 2e-4, lr_d = 2e-4;
  double beta1 = 0.5, beta2 = 0.999;
  int batch = 128;             // progan: the minibatch up to 128x128 (progan_batch() caps larger levels)
  int n_critic = 1;            // critic steps per generator step
  bool critic_warmup = false;  // WGAN: 100 critic steps for the first 25 G steps and every 500th
  double clip = 0;             // WGAN weight clipping (0 = off)
  double gp_lambda = 0;        // WGAN-GP gradient penalty weight (0 = off)
  uint64_t seed = 1;

  // Run-time fields.
  int64_t steps = 0;  // generator steps to reach (0: use epochs)
  double epochs = 0;  // passes of the critic over the data to reach (0: use steps)
  double kimg = 0;    // progan: thousands of real images to reach (its only length)
  std::string device = "cpu";
  int threads = 0;  // CPU threads (0: all cores)
  int64_t log_every = 50, sample_every = 500, checkpoint_every = 500, keep_every = 5000;
};

// The spec's defaults for `loss` (optimiser, learning rates, betas, batch, critic steps,
// clipping, penalty, critic normalisation); other fields keep their defaults.
TrainConfig defaults_for(GanLoss loss);
// The same for an architecture and loss: progan gets ProGAN's official settings (Adam 1e-3,
// betas 0, 0.99, batch 16, latent 512, no normalisation layers, lambda 10 and drift 0.001 with
// wgan-gp); dcgan-selu drops the critic's normalisation.
TrainConfig defaults_for(GanArch arch, GanLoss loss);

nlohmann::json to_json(const TrainConfig& c);
// Reads a config; missing fields keep the values of `base`. Throws Error(Usage) naming a field
// with a bad value.
TrainConfig from_json(const nlohmann::json& j, const TrainConfig& base = {});

// Checks a config that will be trained: ranges, resolution/architecture, loss/normalisation
// combinations. Throws Error(Usage) naming the option.
void validate(const TrainConfig& c);

// Names of the fields that must match between a run and its resume.
const std::vector<std::string>& training_fields();
// Names of every field, as in the JSON form (gan-train's options are these with '-' for '_').
const std::vector<std::string>& config_fields();

// The first training field whose value differs between a and b, with both values, as
// "lr_d: 0.0002 in the run, 0.0005 now"; empty when they agree.
std::string first_training_difference(const nlohmann::json& run, const nlohmann::json& now);

// Critic steps before generator step `step` (0-based).
int critic_steps(const TrainConfig& c, int64_t step);

}  // namespace gankit
