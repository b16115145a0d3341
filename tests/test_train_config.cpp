// Training settings (lib/nn/train_config.h): the JSON round trip and the checks.
#include <gtest/gtest.h>

#include "error.h"
#include "test_util.h"
#include "train_config.h"

namespace gankit {
namespace {

TEST(TrainConfig, DefaultsFollowTheSpecTable) {
  const auto gan = defaults_for(GanLoss::Gan);
  EXPECT_EQ(gan.optimizer, OptimizerKind::Adam);
  EXPECT_DOUBLE_EQ(gan.lr_d, 2e-4);
  EXPECT_DOUBLE_EQ(gan.beta1, 0.5);
  EXPECT_EQ(gan.batch, 128);
  const auto wgan = defaults_for(GanLoss::Wgan);
  EXPECT_EQ(wgan.optimizer, OptimizerKind::RmsProp);
  EXPECT_DOUBLE_EQ(wgan.lr_g, 5e-5);
  EXPECT_DOUBLE_EQ(wgan.clip, 0.01);
  EXPECT_EQ(wgan.n_critic, 5);
  EXPECT_EQ(critic_steps(wgan, 0), 100);
  EXPECT_EQ(critic_steps(wgan, 24), 100);
  EXPECT_EQ(critic_steps(wgan, 25), 5);
  EXPECT_EQ(critic_steps(wgan, 500), 100);
  EXPECT_EQ(critic_steps(wgan, 501), 5);
  const auto gp = defaults_for(GanLoss::WganGp);
  EXPECT_DOUBLE_EQ(gp.lr_d, 1e-4);
  EXPECT_DOUBLE_EQ(gp.beta1, 0.0);
  EXPECT_DOUBLE_EQ(gp.beta2, 0.9);
  EXPECT_DOUBLE_EQ(gp.gp_lambda, 10.0);
  EXPECT_EQ(gp.d_norm, NormKind::Layer);
  EXPECT_EQ(critic_steps(gp, 0), 5);
  const auto ls = defaults_for(GanLoss::Lsgan);
  EXPECT_EQ(ls.batch, 64);
  EXPECT_DOUBLE_EQ(ls.beta1, 0.5);
}

TEST(TrainConfig, JsonRoundTripAndDifferences) {
  TrainConfig c = defaults_for(GanLoss::WganGp);
  c.data = "x.h5", c.channels = 1, c.steps = 10, c.seed = 99;
  const auto j = to_json(c);
  EXPECT_EQ(to_json(from_json(j)), j);
  auto k = j;
  EXPECT_EQ(first_training_difference(j, k), "");
  k["steps"] = 20, k["device"] = "cuda", k["data"] = "moved.h5";  // run-time fields may change
  EXPECT_EQ(first_training_difference(j, k), "");
  k["lr_d"] = 5e-4;
  EXPECT_EQ(first_training_difference(j, k), "lr_d: 0.0001 in the run, 0.0005 now");
  nlohmann::json bad = {{"batch", "many"}};
  EXPECT_THROW(from_json(bad), Error);
  EXPECT_THROW(from_json(nlohmann::json{{"loss", "hinge"}}), Error);
}

TEST(TrainConfig, ValidateRejectsBadCombinations) {
  TrainConfig c = defaults_for(GanLoss::WganGp);
  c.channels = 3, c.steps = 1;
  EXPECT_NO_THROW(validate(c));
  auto expect_usage = [](const TrainConfig& bad, const std::string& needle) {
    try {
      validate(bad);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_NE(test::cli_message(e).find(needle), std::string::npos) << e.what();
    }
  };
  auto bn = c;
  bn.d_norm = NormKind::Batch;
  expect_usage(bn, "--d-norm batch cannot be used with a gradient penalty");
  auto res = c;
  res.resolution = 48;
  expect_usage(res, "--resolution 48");
  auto len = c;
  len.steps = 0;
  expect_usage(len, "--steps N or --epochs E");
  auto lr = c;
  lr.lr_g = -1;
  expect_usage(lr, "--lr-g -1");
}

}  // namespace
}  // namespace gankit
