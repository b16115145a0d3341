// The GAN losses (lib/nn/gan_loss.h).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "gan_loss.h"
#include "train_config.h"

namespace gankit {
namespace {

TEST(GanLoss, ValuesOnKnownOutputs) {
  const auto zero = torch::zeros({4});
  EXPECT_NEAR(discriminator_loss(GanLoss::Gan, zero, zero).item<double>(), 2 * std::log(2.0), 1e-6);
  EXPECT_NEAR(generator_loss(GanLoss::Gan, zero).item<double>(), std::log(2.0), 1e-6);
  const auto real = torch::tensor({1.0f, 2.0f}), fake = torch::tensor({0.5f, 0.5f});
  EXPECT_NEAR(discriminator_loss(GanLoss::Wgan, real, fake).item<double>(), 0.5 - 1.5, 1e-6);
  EXPECT_NEAR(discriminator_loss(GanLoss::WganGp, real, fake).item<double>(), -1.0, 1e-6);
  EXPECT_NEAR(generator_loss(GanLoss::Wgan, fake).item<double>(), -0.5, 1e-6);
  // LSGAN: 0.5 mean((D(x) - 1)^2) + 0.5 mean(D(G(z))^2) = 0.5 * 0.5 + 0.5 * 0.25
  EXPECT_NEAR(discriminator_loss(GanLoss::Lsgan, real, fake).item<double>(), 0.25 + 0.125, 1e-6);
  EXPECT_NEAR(generator_loss(GanLoss::Lsgan, fake).item<double>(), 0.5 * 0.25, 1e-6);
  EXPECT_NEAR(generator_loss(GanLoss::Lsgan, zero).item<double>(), 0.5, 1e-6);
}

TEST(GanLoss, GradientPenaltyOfALinearAndAQuadraticCritic) {
  auto gen = at::detail::createCPUGenerator(7);
  // Linear critic f(x) = sum(w * x), w = 1 on 4 pixels: grad = w, |grad| = 2, GP = 10 * (2 - 1)^2.
  torch::Tensor w = torch::ones({1, 1, 2, 2}, torch::requires_grad());
  auto linear = [&](const torch::Tensor& x) { return (x * w).sum({1, 2, 3}); };
  const auto real = torch::rand({3, 1, 2, 2}), fake = torch::rand({3, 1, 2, 2});
  torch::Tensor gp = gradient_penalty(linear, real, fake, 10.0, gen);
  EXPECT_NEAR(gp.item<double>(), 10.0, 1e-5);
  // d GP / dw = lambda * 2 (|w| - 1) * w / |w| = 10 * 2 * 1 * 0.5 = 10 per weight (create_graph works).
  gp.backward();
  EXPECT_TRUE(torch::allclose(w.grad(), torch::full({1, 1, 2, 2}, 10.0f), 1e-5, 1e-5));
  // Quadratic critic f(x) = sum(x^2) with real = fake = 1: x_hat = 1, grad = 2, |grad| = 4, GP = 10 * 9.
  auto quadratic = [](const torch::Tensor& x) { return x.pow(2).sum({1, 2, 3}); };
  const auto ones = torch::ones({2, 1, 2, 2});
  EXPECT_NEAR(gradient_penalty(quadratic, ones, ones, 10.0, gen).item<double>(), 90.0, 1e-4);
}

TEST(GanLoss, ClippingBoundsEveryWeight) {
  std::vector<torch::Tensor> params = {torch::randn({50}) * 5, torch::randn({3, 3}) * 0.001};
  const auto small = params[1].clone();
  clip_weights(params, 0.01);
  EXPECT_LE(params[0].abs().max().item<float>(), 0.01f);
  EXPECT_NEAR(params[0].abs().max().item<float>(), 0.01f, 1e-9);
  EXPECT_TRUE(torch::equal(params[1], small));  // inside the bound: untouched
}

}  // namespace
}  // namespace gankit
