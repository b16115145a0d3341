// One training iteration of Progressive GAN (official train.py order): a critic update, the
// moving-average update of G, then a generator update.
//
//   critic:    loss(D(reals), D(G(z1))) + gradient penalty (lambda, target 1) on random
//              interpolates + drift * mean D(reals)^2, on `reals` (N, C, R, R) float in [-1, 1]
//              at the level's resolution, already faded with fade_real_images(), and N fresh
//              latents z1 (N, z_dim) ~ N(0, I)
//   average:   G_ema <- g_ema * G_ema + (1 - g_ema) * G (G as left by the last generator update)
//   generator: generator_loss(D(G(z2))) on N fresh latents z2
// Latents, then the penalty's mixing factors, then z2 are drawn from `gen` (CPU) in that order,
// so an iteration is a pure function of the models, the reals and the generator's seed.
// Torch-only (no data or file access): the GPU benchmark builds it on its own.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "gan_models.h"
#include "progan_schedule.h"
#include "train_config.h"

namespace gankit {

class DataParallel;

// Sums over the critic updates of one generator step (`critic_updates` of them) and the
// generator's loss.
struct StepStats {
  double loss_d = 0, d_real = 0, d_fake = 0, gp = 0, drift = 0;
  int critic_updates = 0;
  double loss_g = 0;
  int64_t images = 0;  // real images shown to D
};

// With `parallel` (data_parallel.h), `reals` is this rank's part of the global minibatch: z and
// the penalty's weights are drawn for the whole minibatch and split the same way, gradients are
// averaged over the ranks before each optimiser step, and the statistics are the ranks' means.
StepStats progan_step(GanModels& m, const TrainConfig& config, const torch::Tensor& reals,
                      const ProganPosition& position, at::Generator gen, DataParallel* parallel = nullptr);

}  // namespace gankit
