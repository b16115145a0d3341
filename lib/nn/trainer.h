// train_gan — the DCGAN-family training loop (gan-train): DCGAN, WGAN, WGAN-GP and LSGAN on one
// level of an HDF5 pyramid, on the CPU or a CUDA device.
//
// One generator step = critic_steps() discriminator updates, each on the next real minibatch and
// a fresh z, then one generator update on a fresh z. The run folder holds:
//   config.json                 every setting (TrainConfig JSON) and the tool version
//   log.jsonl                   one JSON object per --log-every steps: step, epoch, kimg, loss_d,
//                               loss_g, d_real, d_fake (mean outputs), wdist and gp where they
//                               apply (averages over the interval), images_per_s, seconds
//   samples/step_XXXXXX.png     8x8 grids of G (eval mode) on a fixed z, every --sample-every
//                               steps, at step 0 (the untrained G) and at the end
//   checkpoints/latest.pt       every --checkpoint-every steps and at the end (gan_models.h)
//   checkpoints/step_XXXXXX.pt  kept every --keep-every steps, step 0 included
// Resuming continues from latest.pt and gives the same weights and logs as an uninterrupted run
// with the same settings, device and thread count.
//
// The pieces: train_gan() checks the settings and data (and a resume's checkpoint), then runs one
// loop — step, log, maybe a sample grid, maybe a checkpoint — over a TrainRunFolder (run_folder.h:
// the lock, config.json, log.jsonl, kept copies) and a TrainSchedule (train_schedule.h: what
// differs between the DCGAN family and ProGAN: the end of the run, a step, the data level).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "gan_models.h"
#include "progress.h"
#include "train_config.h"

namespace gankit {

class DataParallel;

struct TrainOptions {
  bool resume = false;     // continue the run in run_dir from checkpoints/latest.pt
  bool overwrite = false;  // start over in a run_dir that already holds a run
  ProgressOptions progress;
  // A resume normally refuses data whose fingerprint differs from the run's; with this it goes on
  // (the change is noted on stderr and recorded in config.json's data_changes).
  bool allow_data_change = false;
  // Measuring while training: every `eval_every` generator steps (and at step 0) a checkpoint
  // copy checkpoints/step_N.pt is kept and passed to `on_eval` (gan-train's --eval-every runs
  // gan-eval compare's measurement on it). Its time is not counted as training time.
  int64_t eval_every = 0;
  std::function<void(const std::filesystem::path& checkpoint)> on_eval;
  // With `resume`: the metadata of the run's checkpoints/latest.pt when the caller has read it
  // already (resume_point()); else train_gan reads it.
  std::optional<CheckpointMeta> resume_point;
  // Data-parallel training (data_parallel.h): this process is one rank; rank 0 alone writes the
  // run folder, every rank trains its part of each global minibatch (config.batch).
  DataParallel* parallel = nullptr;
};

struct TrainSummary {
  int64_t start_step = 0;
  TrainState state;
  double epochs = 0;        // passes over the data so far
  double images_per_s = 0;  // real images per second in this session
  nlohmann::json last_log;  // the last log.jsonl record
  std::filesystem::path checkpoint;
  std::filesystem::path samples;  // the last sample grid
};

// Generator steps a run of `config` makes in total (its --steps, or the steps that consume
// --epochs passes of `batches_per_epoch` minibatches, whichever ends first). In train_schedule.cpp.
int64_t planned_steps(const TrainConfig& config, int64_t batches_per_epoch);

// The metadata of checkpoints/latest.pt in `run_dir`, where --resume continues. Throws Error(Data)
// when the run holds no checkpoint.
CheckpointMeta resume_point(const std::filesystem::path& run_dir);

// Data-parallel runs of `world` ranks: the global minibatch splits evenly, and ProGAN's minibatch
// at every level holds stddev groups of 4 in every rank's part. Throws Error(Usage) naming --batch.
void check_data_parallel(const TrainConfig& config, int world);

// Trains `config` in `run_dir`. config.channels is taken from the data. Throws Error(Usage) for
// bad settings or a resume whose training fields differ from the run's (naming the field),
// Error(Data) for unusable data, an unwritable run folder, or losses that stop being finite (the
// last good checkpoint stays).
TrainSummary train_gan(TrainConfig config, const std::filesystem::path& run_dir, const TrainOptions& options);

}  // namespace gankit
