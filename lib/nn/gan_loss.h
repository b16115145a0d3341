// The adversarial losses of the DCGAN family, on the discriminator's raw outputs (N) float.
//
//   gan      D: BCE(D(x), 1) + BCE(D(G(z)), 0) on logits;  G: BCE(D(G(z)), 1) (non-saturating)
//   wgan     D: mean D(G(z)) - mean D(x);                  G: -mean D(G(z))   (+ weight clipping)
//   wgan-gp  as wgan, plus lambda * mean (||grad D(x_hat)||_2 - 1)^2 on x_hat = a x + (1-a) G(z),
//            a ~ U(0, 1) per sample (Gulrajani et al. 2017)
//   lsgan    D: 0.5 mean (D(x) - 1)^2 + 0.5 mean D(G(z))^2;  G: 0.5 mean (D(G(z)) - 1)^2
//            (Mao et al. 2017, labels a=0 fake, b=1 real, c=1 generator target)
#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <functional>

#include "train_config.h"

namespace gankit {

// The discriminator's loss (a scalar tensor) from its outputs on real and on generated images.
torch::Tensor discriminator_loss(GanLoss loss, const torch::Tensor& d_real, const torch::Tensor& d_fake);
// The generator's loss from the discriminator's outputs on generated images.
torch::Tensor generator_loss(GanLoss loss, const torch::Tensor& d_fake);

// lambda * mean over the batch of (||grad_x critic(x_hat)||_2 - 1)^2 with x_hat = a real + (1-a) fake,
// a ~ U(0, 1) per sample drawn from `gen` (on the CPU, then moved to real's device). Differentiable
// with respect to the critic's parameters (create_graph). real and fake: (N, C, H, W). With
// data-parallel ranks (world > 1), N * world weights are drawn and this rank takes rows rank,
// rank + world, ... (data_parallel.h), as one process would draw them for the whole minibatch.
torch::Tensor gradient_penalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
                               const torch::Tensor& real, const torch::Tensor& fake, double lambda, at::Generator gen,
                               int rank = 0, int world = 1);

// Clamps every parameter of the critic to [-c, c] in place (WGAN).
void clip_weights(const std::vector<torch::Tensor>& parameters, double c);

}  // namespace gankit
