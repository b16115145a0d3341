#include "gan_loss.h"

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>

namespace gankit {

namespace F = torch::nn::functional;

torch::Tensor discriminator_loss(GanLoss loss, const torch::Tensor& d_real, const torch::Tensor& d_fake) {
  switch (loss) {
    case GanLoss::Gan:
      return F::binary_cross_entropy_with_logits(d_real, torch::ones_like(d_real)) +
             F::binary_cross_entropy_with_logits(d_fake, torch::zeros_like(d_fake));
    case GanLoss::Wgan:
    case GanLoss::WganGp:
      return d_fake.mean() - d_real.mean();
    case GanLoss::Lsgan:
      return 0.5 * (d_real - 1).pow(2).mean() + 0.5 * d_fake.pow(2).mean();
  }
  return {};
}

torch::Tensor generator_loss(GanLoss loss, const torch::Tensor& d_fake) {
  switch (loss) {
    case GanLoss::Gan:
      return F::binary_cross_entropy_with_logits(d_fake, torch::ones_like(d_fake));
    case GanLoss::Wgan:
    case GanLoss::WganGp:
      return -d_fake.mean();
    case GanLoss::Lsgan:
      return 0.5 * (d_fake - 1).pow(2).mean();
  }
  return {};
}

torch::Tensor gradient_penalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
                               const torch::Tensor& real, const torch::Tensor& fake, double lambda, at::Generator gen,
                               int rank, int world) {
  const torch::Tensor a = torch::rand({real.size(0) * world, 1, 1, 1}, gen, torch::kFloat)
                              .slice(0, rank, real.size(0) * world, world)
                              .to(real.device());
  const torch::Tensor x_hat = (a * real + (1 - a) * fake.detach()).requires_grad_(true);
  const torch::Tensor out = critic(x_hat);
  const torch::Tensor grad = torch::autograd::grad({out}, {x_hat}, {torch::ones_like(out)},
                                                   /*retain_graph=*/true, /*create_graph=*/true)[0];
  return lambda * (grad.flatten(1).norm(2, 1) - 1).pow(2).mean();
}

void clip_weights(const std::vector<torch::Tensor>& parameters, double c) {
  torch::NoGradGuard no_grad;
  for (auto p : parameters) p.clamp_(-c, c);
}

}  // namespace gankit
