// gankit::nn — DCGAN networks, losses, gradient penalty, clipping, data order, checkpoints and
// exact resume, sampling. Tiny networks (ngf = ndf = 8) on 32x32 fixtures keep this fast.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "dcgan.h"
#include "error.h"
#include "fixtures.h"
#include "gan_loss.h"
#include "gan_models.h"
#include "generate.h"
#include "hash_autoencoder.h"
#include "image_tensor.h"
#include "real_images.h"
#include "test_util.h"
#include "train_config.h"
#include "trainer.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

int64_t count_params(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST(Dcgan, ShapesAndRangeAtEveryResolution) {
  for (int r : {32, 64, 128}) {
    DcganShape s{r, 3, 16, 8, 8, GanArch::Dcgan, NormKind::Batch};
    DcganGenerator g(s);
    DcganDiscriminator d(s);
    const auto x = g->forward(torch::randn({2, 16}));
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, r, r}));
    EXPECT_LE(x.abs().max().item<float>(), 1.0f);
    EXPECT_EQ(d->forward(x).sizes(), (std::vector<int64_t>{2}));
    const auto f = d->features(x);
    const int k = static_cast<int>(std::log2(r)) - 2;
    ASSERT_EQ(static_cast<int>(f.size()), k);
    for (int i = 0; i < k; ++i)
      EXPECT_EQ(f[static_cast<size_t>(i)].sizes(), (std::vector<int64_t>{2, 8 << i, r >> (i + 1), r >> (i + 1)}));
  }
}

TEST(Dcgan, ParameterCountsOfThePaperNetworkAt64) {
  // DCGAN 64x64, ngf = ndf = 64, z = 100, RGB. Hand count: G = convT 100*512*16 + 512*256*16 +
  // 256*128*16 + 128*64*16 + (64*3*16 + 3 bias) + BN (2 * (512+256+128+64)) = 3576707;
  // D = (3*64*16 + 64 bias) + 64*128*16 + 128*256*16 + 256*512*16 + (512*16 + 1) + BN 2*(128+256+512) = 2765633.
  DcganShape s{64, 3, 100, 64, 64, GanArch::Dcgan, NormKind::Batch};
  DcganGenerator g(s);
  DcganDiscriminator d(s);
  EXPECT_EQ(count_params(*g), 3576707);
  EXPECT_EQ(count_params(*d), 2765633);
}

TEST(Dcgan, InitialisationFollowsDcganAndLecun) {
  torch::manual_seed(3);
  DcganShape s{32, 1, 100, 64, 64, GanArch::Dcgan, NormKind::Batch};
  DcganGenerator g(s);
  init_dcgan_weights(*g, GanArch::Dcgan);
  const auto w = g->named_parameters()["net.0.weight"];  // 100 x 256 x 4 x 4
  EXPECT_NEAR(w.std().item<double>(), 0.02, 0.0005);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.0005);
  const auto gamma = g->named_parameters()["net.1.weight"];
  EXPECT_NEAR(gamma.mean().item<double>(), 1.0, 0.005);
  s.arch = GanArch::DcganSelu;
  DcganDiscriminator d(s);
  init_dcgan_weights(*d, GanArch::DcganSelu);
  const auto w1 = d->named_parameters()["blocks.1.0.weight"];  // 128 x 64 x 4 x 4, fan_in 1024
  EXPECT_NEAR(w1.std().item<double>(), 1.0 / 32.0, 0.001);
  for (const auto& item : d->named_parameters()) EXPECT_EQ(item.key().find("1.1."), std::string::npos) << item.key();
}

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

TEST(RealImages, EpochsArePermutationsInASeededOrder) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 50, 1, 32);
  RealImages a(dir / "d.h5", 32, 8, 5, {true, false}), b(dir / "d.h5", 32, 8, 5, {true, false});
  RealImages c(dir / "d.h5", 32, 8, 6, {true, false});
  EXPECT_EQ(a.batches_per_epoch(), 6);  // 50 / 8, the last 2 images of each epoch dropped
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::set<int64_t> seen;
    for (int64_t k = epoch * 6; k < epoch * 6 + 6; ++k)
      for (int64_t i : a.batch_indices(k)) seen.insert(i);
    EXPECT_EQ(seen.size(), 48u);  // no repeats within an epoch
  }
  EXPECT_EQ(a.batch_indices(7), b.batch_indices(7));  // same seed, same order (read out of order)
  EXPECT_EQ(a.batch_indices(0), b.batch_indices(0));
  EXPECT_NE(a.batch_indices(0), c.batch_indices(0));  // another seed, another order
  EXPECT_NE(a.batch_indices(0), a.batch_indices(6));  // another epoch, another order
  // Values: image i's pixel (y, x) = pixel(i, 0, y, x) / 127.5 - 1.
  const auto idx = a.batch_indices(3);
  const auto t = a.batch(3);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{8, 1, 32, 32}));
  EXPECT_FLOAT_EQ(t[2][0][5][9].item<float>(), test::pixel(static_cast<int>(idx[2]), 0, 5, 9) / 127.5f - 1.0f);
}

// 1500 images of 32x32 gray (1.5 MB) through a 1 MB cache: three windows of 512 images.
TEST(RealImages, StreamedEpochsArePermutationsAndBatchesHoldTheirImages) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 1500, 1, 32);
  const DataPolicy stream{DataResidency::Stream, 1 << 20}, automatic{DataResidency::Auto, 1 << 20};
  RealImages a(dir / "d.h5", 32, 64, 5, {true, false}, stream), b(dir / "d.h5", 32, 64, 5, {true, false}, automatic);
  ASSERT_TRUE(a.streamed());
  EXPECT_TRUE(b.streamed());  // auto: 1.5 MB do not fit in 1 MB
  EXPECT_EQ(a.describe(), "streamed (windows of 512 images in runs of 32, 1 MB cache)");
  EXPECT_EQ(a.batches_per_epoch(), 23);  // 1472 images per epoch, the last 28 dropped
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    std::set<int64_t> seen;
    for (int64_t k = epoch * 23; k < epoch * 23 + 23; ++k)
      for (int64_t i : a.batch_indices(k)) seen.insert(i);
    EXPECT_EQ(seen.size(), 1472u);
  }
  EXPECT_NE(a.batch_indices(0), a.batch_indices(23));
  for (int64_t k : {30, 2, 22, 23, 0}) {  // out of order: a resume may start anywhere
    const auto idx = b.batch_indices(k);
    EXPECT_EQ(idx, a.batch_indices(k));
    const auto t = b.batch(k);
    for (int i : {0, 17, 63})
      EXPECT_FLOAT_EQ(t[i][0][5][9].item<float>(), test::pixel(static_cast<int>(idx[i]), 0, 5, 9) / 127.5f - 1.0f)
          << k << " " << i;
  }
  // What fits stays in memory under auto, in the full-permutation order.
  RealImages small(dir / "d.h5", 32, 64, 5, {true, false}, {DataResidency::Auto, 2 << 20});
  EXPECT_FALSE(small.streamed());
  EXPECT_EQ(small.describe(), "in memory (1.5 MB)");
  // A cache that cannot hold two windows of two minibatches is named.
  EXPECT_NE(test::error_of([&] {
              RealImages(dir / "d.h5", 32, 64, 5, {true, false}, {DataResidency::Stream, 200000});
            }).find("needs two windows of at least two minibatches of 64"),
            std::string::npos);
}

TEST(ImageTensor, RoundTripIsExact) {
  ImageBatch b(3, 3, 4, 4);
  for (size_t i = 0; i < b.data.size(); ++i) b.data[i] = static_cast<uint8_t>(i * 7);
  const ImageBatch back = tensor_to_images(images_to_tensor(b, 0, 3));
  EXPECT_TRUE(std::equal(b.data.begin(), b.data.end(), back.data.begin()));
  const ImageBatch clamped = tensor_to_images(torch::tensor({-3.0f, 3.0f, 0.0f}).view({1, 1, 1, 3}));
  EXPECT_EQ(clamped.data[0], 0);
  EXPECT_EQ(clamped.data[1], 255);
  EXPECT_EQ(clamped.data[2], 128);  // round(127.5) = 128
}

// A tiny training configuration on the fixture.
TrainConfig tiny(const fs::path& data, GanLoss loss, int64_t steps) {
  TrainConfig c = defaults_for(loss);
  c.data = data.string();
  c.ngf = c.ndf = 8;
  c.batch = 8;
  c.z_dim = 16;
  c.steps = steps;
  c.threads = 1;
  c.log_every = 1;
  c.sample_every = 0;
  c.checkpoint_every = 0;
  c.keep_every = 0;
  if (loss == GanLoss::Wgan) c.critic_warmup = false;  // keep the test short
  return c;
}

std::map<std::string, torch::Tensor> weights(const fs::path& ckpt) {
  LoadedGenerator g = load_generator(ckpt, torch::kCPU);
  GanModels m = make_models(g.config, torch::kCPU);
  load_checkpoint(ckpt, m, torch::kCPU);
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : m.g->named_parameters()) out["G." + item.key()] = item.value();
  for (const auto& item : m.g->named_buffers()) out["G." + item.key()] = item.value();  // used by sampling
  for (const auto& item : m.d->named_parameters()) out["D." + item.key()] = item.value();
  for (const auto& item : m.d->named_buffers()) out["D." + item.key()] = item.value();
  return out;
}

TEST(Trainer, ResumeContinuesExactlyForEveryLoss) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 1, 32);
  TrainOptions quiet;
  quiet.progress.quiet = true;
  for (GanLoss loss : {GanLoss::Gan, GanLoss::Wgan, GanLoss::WganGp, GanLoss::Lsgan}) {
    const std::string name = to_string(loss);
    const fs::path straight = dir / (name + "-straight"), split = dir / (name + "-split");
    const auto s = train_gan(tiny(dir / "d.h5", loss, 4), straight, quiet);
    EXPECT_EQ(s.state.step, 4);
    train_gan(tiny(dir / "d.h5", loss, 2), split, quiet);
    TrainOptions resume = quiet;
    resume.resume = true;
    const auto r = train_gan(tiny(dir / "d.h5", loss, 4), split, resume);
    EXPECT_EQ(r.start_step, 2);
    EXPECT_EQ(r.state.real_batches, s.state.real_batches);
    const auto a = weights(straight / "checkpoints" / "latest.pt"), b = weights(split / "checkpoints" / "latest.pt");
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << name << " " << k;
    EXPECT_EQ(s.last_log["loss_d"], r.last_log["loss_d"]) << name;
    EXPECT_EQ(s.last_log["loss_g"], r.last_log["loss_g"]) << name;
    if (loss == GanLoss::Wgan) {  // clipping holds after every critic step
      for (const auto& [k, v] : a) {
        if (k.rfind("D.", 0) == 0 && k.find("running") == std::string::npos &&
            k.find("num_batches") == std::string::npos) {
          EXPECT_LE(v.abs().max().item<float>(), 0.01f) << k;
        }
      }
    }
    if (loss == GanLoss::WganGp) {
      EXPECT_GT(s.last_log["gp"].get<double>(), 0.0);
    }
  }
}

// Streamed data: the resumed run reads on from the middle of a window and across an epoch end
// (23 minibatches of 64 per epoch, 3 windows) exactly as the uninterrupted run.
TEST(Trainer, ResumeIsExactOnStreamedData) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 1500, 1, 32);
  TrainOptions quiet;
  quiet.progress.quiet = true;
  auto config = [&](int64_t steps) {
    TrainConfig c = tiny(dir / "d.h5", GanLoss::Lsgan, steps);
    c.batch = 64;
    c.data_in_memory = DataResidency::Stream;
    c.data_cache_mb = 1;
    return c;
  };
  const auto s = train_gan(config(30), dir / "straight", quiet);
  train_gan(config(11), dir / "split", quiet);
  TrainOptions resume = quiet;
  resume.resume = true;
  const auto r = train_gan(config(30), dir / "split", resume);
  EXPECT_EQ(r.start_step, 11);
  const auto a = weights(dir / "straight" / "checkpoints" / "latest.pt");
  const auto b = weights(dir / "split" / "checkpoints" / "latest.pt");
  for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << k;
  // The streamed order is recorded: resuming with another cache is refused, naming it.
  TrainConfig other = config(40);
  other.data_cache_mb = 2;
  EXPECT_NE(test::error_of([&] { train_gan(other, dir / "split", resume); }).find("data_cache_mb: 1 in the run, 2 now"),
            std::string::npos);
  // And it is another order than the in-memory one (the same weights would mean the data path
  // was not taken).
  TrainConfig memory = config(30);
  memory.data_in_memory = DataResidency::Memory;
  train_gan(memory, dir / "memory", quiet);
  const auto m = weights(dir / "memory" / "checkpoints" / "latest.pt");
  bool differ = false;
  for (const auto& [k, v] : a) differ = differ || !torch::equal(v, m.at(k));
  EXPECT_TRUE(differ);
}

// The cases the loop above leaves out: WGAN with its default critic warm-up (100 critic steps for
// the first 25 generator steps: the split falls inside it), and two threads (LibTorch's parallel
// kernels must not make a resumed run differ).
TEST(Trainer, ResumeIsExactThroughTheCriticWarmupAndOnTwoThreads) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 1, 32);
  TrainOptions quiet;
  quiet.progress.quiet = true;
  TrainOptions resume = quiet;
  resume.resume = true;
  struct Case {
    const char* name;
    GanLoss loss;
    bool warmup;
    int threads;
  };
  for (const Case& c : {Case{"wgan-warmup", GanLoss::Wgan, true, 1}, Case{"gan-2-threads", GanLoss::Gan, false, 2}}) {
    auto config = [&](int64_t steps) {
      TrainConfig t = tiny(dir / "d.h5", c.loss, steps);
      t.critic_warmup = c.warmup;
      t.threads = c.threads;
      return t;
    };
    const auto s = train_gan(config(3), dir / (std::string(c.name) + "-straight"), quiet);
    if (c.warmup) {
      EXPECT_EQ(s.state.real_batches, 300) << "3 steps of 100 critic batches";
    }
    train_gan(config(1), dir / (std::string(c.name) + "-split"), quiet);
    train_gan(config(3), dir / (std::string(c.name) + "-split"), resume);
    const auto a = weights(dir / (std::string(c.name) + "-straight") / "checkpoints" / "latest.pt");
    const auto b = weights(dir / (std::string(c.name) + "-split") / "checkpoints" / "latest.pt");
    for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << c.name << " " << k;
  }
}

TEST(Trainer, EpochLengthCountsCriticBatches) {
  TrainConfig c = defaults_for(GanLoss::Wgan);  // warm-up: 100 critic steps for steps 0..24
  c.epochs = 2;
  EXPECT_EQ(planned_steps(c, 150), 3);  // 300 batches: 100 + 100 + 100
  c.critic_warmup = false;
  EXPECT_EQ(planned_steps(c, 150), 60);
  c.steps = 10;
  EXPECT_EQ(planned_steps(c, 150), 10);  // whichever ends first
  c.epochs = 0;
  c.steps = 7;
  EXPECT_EQ(planned_steps(c, 150), 7);
}

TEST(Generate, ImagesDoNotDependOnTheBatching) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 3, 32);
  TrainConfig c = tiny(dir / "d.h5", GanLoss::Gan, 2);
  TrainOptions quiet;
  quiet.progress.quiet = true;
  train_gan(c, dir / "run", quiet);
  LoadedGenerator g = load_generator(resolve_checkpoint(dir / "run"), torch::kCPU);
  EXPECT_EQ(g.state.step, 2);
  const ImageBatch all = generate_images(g, 0, 10, 3, torch::kCPU);
  EXPECT_EQ(all.n, 10);
  EXPECT_EQ(all.c, 3);
  EXPECT_EQ(all.h, 32);
  const ImageBatch tail = generate_images(g, 4, 6, 3, torch::kCPU);
  int64_t differ = 0, max_diff = 0;
  for (size_t i = 0; i < tail.data.size(); ++i) {
    const int d = std::abs(int(tail.data[i]) - int(all.data[4 * all.image_bytes() + i]));
    differ += d != 0;
    max_diff = std::max<int64_t>(max_diff, d);
  }
  EXPECT_LE(max_diff, 1);  // float rounding at a .5 boundary at most
  EXPECT_LE(differ, static_cast<int64_t>(tail.data.size() / 1000));
  const ImageBatch other = generate_images(g, 0, 10, 4, torch::kCPU);
  EXPECT_FALSE(std::equal(other.data.begin(), other.data.end(), all.data.begin()));  // another seed
  const ImageBatch grid = interpolation_grid(g, 2, 5, 3, torch::kCPU);
  EXPECT_EQ(grid.n, 10);
}

// The flip distance of bit j is the RMS grey-level size of the smallest move that changes it:
// moving the pixels along W_j by 0.99 of it keeps the bit, by 1.01 of it flips it.
TEST(HashAutoencoder, FlipDistanceIsTheSmallestMoveThatChangesTheBit) {
  torch::manual_seed(3);
  HashAutoencoder model;
  model->eval();
  torch::NoGradGuard no_grad;
  model->mean.uniform_(0.3, 0.6);
  model->inv_std.fill_(4.0);
  const torch::Tensor pixels = torch::rand({3, kHashInputUnits}, torch::kFloat64) * 255;
  const torch::Tensor pre = model->encode(model->standardise(pixels));
  const torch::Tensor dist = flip_distances(model, pre);
  ASSERT_EQ(dist.sizes(), (std::vector<int64_t>{3, kHashCodeUnits}));
  // The code position is the same distance, signed: positive exactly where the hash bit is set.
  const torch::Tensor where = code_positions(model, pre);
  EXPECT_TRUE(torch::equal(where.abs(), dist));
  EXPECT_TRUE(torch::equal(where.gt(0), pre.gt(0)));
  EXPECT_GT(where.gt(0).sum().item<int64_t>(), 0);
  EXPECT_GT(where.lt(0).sum().item<int64_t>(), 0);
  const torch::Tensor w = model->encoder->weight.to(torch::kFloat64);
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j : {0, 17, 127}) {
      SCOPED_TRACE(fmt::format("image {} bit {}", i, j));
      const double p = pre[i][j].item<double>(), d = dist[i][j].item<double>();
      ASSERT_GT(d, 0);
      // Unit direction along W_j in pixel space, towards the hyperplane; a pixel move of RMS r is
      // r * sqrt(3072) in L2.
      const torch::Tensor toward = -(p > 0 ? 1.0 : -1.0) * w[j] / w[j].norm();
      for (double f : {0.99, 1.01}) {
        const torch::Tensor moved = pixels[i] + toward * (f * d * std::sqrt(double{kHashInputUnits}));
        EXPECT_NEAR((moved - pixels[i]).pow(2).mean().sqrt().item<double>(), f * d, 1e-9 * d);
        const double q = model->encode(model->standardise(moved.unsqueeze(0)))[0][j].item<double>();
        EXPECT_EQ(q > 0, f < 1 ? p > 0 : p <= 0) << "pre " << p << " -> " << q << " at " << f << " x " << d;
      }
    }
  }
}

// A dedup model from before the low-pass thumbnails (no thumbnail_version in its provenance)
// would hash other pixels than it was trained on: gan-data dedup hash refuses it with one clear
// line, before it reads an image or writes an output.
// Every option of `gan-data dedup train` changes the trained weights (the model file's metadata
// records the options either way, so the weights are compared): with the same seed, two runs of
// the defaults are equal to the bit, and each option moved from its default gives other weights.
TEST(HashAutoencoderFile, EveryTrainingOptionChangesTheWeights) {
  test::TempDir dir;
  test::write_pyramid(dir / "d.h5", 1000, 3, 32);
  auto train = [&](const std::string& name, const std::string& extra) {
    const auto r =
        test::run(fmt::format("{} dedup train {} {} --samples 1000 --epochs 1 --threads 1 --seed 3 -q {}",
                              test::bin("gan-data"), (dir / "d.h5").string(), (dir / (name + ".pt")).string(), extra));
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    nlohmann::json meta;
    HashAutoencoder m = load_hash_autoencoder(dir / (name + ".pt"), torch::kCPU, &meta);
    std::vector<torch::Tensor> w;
    for (const auto& p : m->parameters()) w.push_back(p.detach().clone());
    return std::make_pair(w, meta);
  };
  auto same = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (!torch::equal(a[i], b[i])) return false;
    return true;
  };
  const auto base = train("base", ""), again = train("again", "");
  ASSERT_TRUE(same(base.first, again.first)) << "training is not a function of the seed";
  const auto margin_on = train("margin-on", "--margin-weight 1");
  for (const auto& [name, flags] : std::vector<std::pair<std::string, std::string>>{{"noise", "--noise 0.1"},
                                                                                    {"brightness", "--brightness 0.3"},
                                                                                    {"resample", "--resample 0.5"},
                                                                                    {"shift", "--shift 2"},
                                                                                    {"scale", "--scale 0.1"},
                                                                                    {"lr", "--lr 0.0003"},
                                                                                    {"batch", "--batch 100"},
                                                                                    {"dropout", "--dropout 0.3"}})
    EXPECT_FALSE(same(base.first, train(name, flags).first)) << flags << " did not change the weights";
  EXPECT_FALSE(same(base.first, margin_on.first)) << "--margin-weight 1 did not change the weights";
  EXPECT_FALSE(same(margin_on.first, train("margin", "--margin-weight 1 --margin 2").first))
      << "--margin 2 did not change the weights";
}

TEST(HashAutoencoderFile, ModelsForOtherThumbnailsAreRefused) {
  test::TempDir dir;
  HashAutoencoder model;
  save_hash_autoencoder(dir / "old.pt", model, HashAutoencoderOptions{}, HashTrainStats{},
                        {{"thumbnail", "32x32 RGB centre crop, area resize"}});
  std::filesystem::create_directories(dir / "imgs");
  test::expect_cli_error(
      test::run(fmt::format("{} dedup hash {} {} --model {} -q", test::bin("gan-data"), (dir / "imgs").string(),
                            (dir / "g.json").string(), (dir / "old.pt").string())),
      2, "old.pt was trained on version-1 thumbnails; this gan-data hashes version-2 thumbnails");
  EXPECT_FALSE(std::filesystem::exists(dir / "g.json"));
}

}  // namespace
}  // namespace gankit
