// TrainSchedule — what differs between the DCGAN family and Progressive GAN inside the training
// loop of train_gan(): when the run ends, how one generator step draws its real images and
// updates the networks, which level of the data is held, what a log record and a sample grid
// show, and which checkpoint a step that ends a ProGAN phase keeps.
//
//   DCGAN family: one data level for the whole run; a step is critic_steps() critic updates on
//   the next real minibatches, then one generator update; the run ends at planned_steps().
//   ProGAN: the schedule (progan_schedule.h) sets level, fade and minibatch from the real images
//   shown so far; a new phase resets the optimisers and may load the next level (one level in
//   memory); the run ends at --kimg.
#pragma once

#include <ATen/core/Generator.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gan_models.h"
#include "progan_step.h"
#include "progress.h"
#include "train_config.h"

namespace gankit {

class DataParallel;

class TrainSchedule {
 public:
  virtual ~TrainSchedule() = default;
  virtual bool finished(const TrainState& state) const = 0;
  // Real images the critic will see from `state` to the end: the progress bar's unit.
  virtual int64_t planned_images(const TrainState& state) const = 0;
  virtual double epochs_done(const TrainState& state) const = 0;
  // Real images shown to D so far, in thousands.
  virtual double kimg(const TrainState& state) const = 0;
  // One generator step; advances state.real_batches (DCGAN) or state.images (ProGAN), not step.
  virtual StepStats step(GanModels& models, TrainState& state, at::Generator gen) = 0;
  // After step(): the name of the phase checkpoint to keep ("phase03_16x16_fade.pt"), or "".
  virtual std::string finished_phase() const { return ""; }
  // Fields a log record adds (ProGAN: resolution, alpha).
  virtual void add_log_fields(nlohmann::json&) const {}
  // G's images for the sample grid of `z`, in [-1, 1] (eval mode; ProGAN: the moving average).
  virtual torch::Tensor sample(GanModels& models, const torch::Tensor& z) = 0;
  // The first stderr line of a session ("gan-train: dcgan/gan 32x32, ...").
  virtual std::string banner(const TrainState& state, const std::string& where) const = 0;
};

// Loads the data level the run starts (or resumes) at. With `parallel` (data_parallel.h) every
// step trains this rank's part of each global minibatch of config.batch images.
std::unique_ptr<TrainSchedule> make_train_schedule(const TrainConfig& config, const TrainState& state,
                                                   const c10::Device& device, const ProgressOptions& progress,
                                                   DataParallel* parallel = nullptr);

}  // namespace gankit
