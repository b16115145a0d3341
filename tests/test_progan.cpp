// The Progressive GAN building blocks against hand-computed values (equalised learning rate,
// pixel norm, minibatch stddev) and the fade-in: at alpha 0 the grown networks are the previous
// ones, at alpha 1 the new ones. Then the training run: growth 4 -> 8 -> 16 with tiny feature
// maps, phase checkpoints, exact resume inside a fade and at a phase boundary, sampling, and
// the settings it refuses.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

#include "error.h"
#include "fixtures.h"
#include "gan_models.h"
#include "generate.h"
#include "image_io.h"
#include "progan.h"
#include "progan_schedule.h"
#include "test_util.h"
#include "trainer.h"

namespace gankit {
namespace {

TEST(Progan, EqualizedLayersScaleByTheHeConstantAtRunTime) {
  torch::manual_seed(1);
  EqualizedConv2d conv(2, 1, 3);
  EXPECT_DOUBLE_EQ(conv->scale(), std::sqrt(2.0) / std::sqrt(18.0));  // gain sqrt 2 / sqrt(fan_in 2 * 3 * 3)
  EqualizedConv2d big(64, 64, 3);
  EXPECT_NEAR(big->weight.std().item<double>(), 1.0, 0.02);  // stored N(0, 1)
  EXPECT_EQ(big->bias.abs().sum().item<double>(), 0.0);
  torch::NoGradGuard no_grad;
  conv->weight.fill_(1.0f);
  conv->bias.fill_(0.5f);
  const torch::Tensor y = conv->forward(torch::ones({1, 2, 5, 5}));
  EXPECT_FLOAT_EQ(y[0][0][2][2].item<float>(), 18.0f / 3.0f + 0.5f);  // 18 taps x 1/3
  EXPECT_FLOAT_EQ(y[0][0][0][0].item<float>(), 8.0f / 3.0f + 0.5f);   // corner: 2 x 2 x 2 taps inside
  EqualizedLinear dense(8, 2);
  dense->weight.fill_(1.0f);
  dense->bias.fill_(-1.0f);
  const torch::Tensor d = dense->forward(torch::ones({3, 8}));
  EXPECT_FLOAT_EQ(d[2][1].item<float>(), 8.0f * std::sqrt(2.0f) / std::sqrt(8.0f) - 1.0f);  // 4 - 1
  EqualizedLinear rgb(8, 2, 1.0);
  EXPECT_DOUBLE_EQ(rgb->scale(), 1.0 / std::sqrt(8.0));
}

TEST(Progan, PixelNormNormalisesEachPixelOverChannels) {
  torch::Tensor x = torch::tensor({3.0f, 0.0f, 4.0f, 0.0f}).view({1, 2, 1, 2});  // pixel 0: (3, 4); pixel 1: (0, 0)
  const torch::Tensor y = pixel_norm(x);
  EXPECT_NEAR(y[0][0][0][0].item<float>(), 3.0 / std::sqrt(12.5), 1e-6);
  EXPECT_NEAR(y[0][1][0][0].item<float>(), 4.0 / std::sqrt(12.5), 1e-6);
  EXPECT_EQ(y[0][0][0][1].item<float>(), 0.0f);  // eps keeps zero vectors finite
  const torch::Tensor z = pixel_norm(torch::randn({5, 512}));
  EXPECT_TRUE(torch::allclose(z.pow(2).mean(1), torch::ones({5}), 1e-4, 1e-4));  // on the sqrt(512) sphere
}

TEST(Progan, MinibatchStddevOverStridedGroupsOfFour) {
  // Samples n = 0..7 hold n^2. Groups are {0, 2, 4, 6} and {1, 3, 5, 7} (sample g * 2 + m):
  // {0, 4, 16, 36} has mean 14 and variance 196; {1, 9, 25, 49} mean 21 and variance 336.
  torch::Tensor x = torch::arange(8, torch::kFloat).pow(2).view({8, 1, 1, 1}).repeat({1, 1, 2, 2});
  const torch::Tensor y = minibatch_stddev(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{8, 2, 2, 2}));
  EXPECT_TRUE(torch::equal(y.slice(1, 0, 1), x));
  for (int n = 0; n < 8; ++n)
    for (int p = 0; p < 4; ++p)
      EXPECT_NEAR(y[n][1][p / 2][p % 2].item<float>(), n % 2 == 0 ? 14.0 : std::sqrt(336.0), 1e-4) << n;
  // Two channels: the statistic averages over channels (a constant channel adds sqrt(1e-8)).
  torch::Tensor two = torch::cat({x, torch::full({8, 1, 2, 2}, 5.0f)}, 1);
  EXPECT_NEAR(minibatch_stddev(two)[0][2][0][0].item<float>(), (14.0 + 1e-4) / 2, 1e-4);
  // A batch smaller than the group is one group; a batch that does not split is an error.
  EXPECT_NEAR(minibatch_stddev(x.slice(0, 0, 2))[0][1][0][0].item<float>(), 0.5, 1e-4);  // {0, 1}
  EXPECT_THROW(minibatch_stddev(x.slice(0, 0, 6)), Error);
}

ProganShape tiny() { return ProganShape{16, 3, 16, 64, 16}; }

TEST(Progan, ShapesAtEveryLevel) {
  torch::manual_seed(2);
  const ProganShape s = tiny();
  EXPECT_EQ(s.levels(), 3);
  EXPECT_EQ(s.nf(0), 16);
  EXPECT_EQ(s.nf(3), 8);
  ProganGenerator g(s);
  ProganDiscriminator d(s);
  const torch::Tensor z = torch::randn({4, 16});
  for (int level = 0; level < 3; ++level) {
    const torch::Tensor img = g->forward(z, level, 0.5);
    const int r = 4 << level;
    EXPECT_EQ(img.sizes(), (std::vector<int64_t>{4, 3, r, r}));
    EXPECT_EQ(d->forward(img, level, 0.5).sizes(), (std::vector<int64_t>{4}));
  }
  // The paper's feature maps at 1024: 512 up to 64x64 (stage 5), then 256, 128, 64, 32, 16.
  const ProganShape full{1024, 3};
  EXPECT_EQ(full.nf(1), 512);
  EXPECT_EQ(full.nf(4), 512);
  EXPECT_EQ(full.nf(5), 256);
  EXPECT_EQ(full.nf(9), 16);
  const ProganShape odd{48, 3}, small{4, 3};
  EXPECT_THROW(odd.validate(), Error);
  EXPECT_THROW(small.validate(), Error);
}

TEST(Progan, FadeInStartsAtThePreviousNetworkAndEndsAtTheNewOne) {
  torch::manual_seed(3);
  ProganGenerator g(tiny());
  ProganDiscriminator d(tiny());
  torch::NoGradGuard no_grad;
  const torch::Tensor z = torch::randn({4, 16});
  for (int level = 1; level < 3; ++level) {
    const torch::Tensor old_out = g->forward(z, level - 1, 1.0), new_out = g->forward(z, level, 1.0);
    EXPECT_TRUE(torch::allclose(g->forward(z, level, 0.0), upsample2x(old_out), 1e-5, 1e-6)) << level;
    EXPECT_TRUE(torch::allclose(g->forward(z, level, 0.3), 0.7 * upsample2x(old_out) + 0.3 * new_out, 1e-5, 1e-5));
    const torch::Tensor x = torch::rand({4, 3, 4 << level, 4 << level}) * 2 - 1;
    EXPECT_TRUE(torch::allclose(d->forward(x, level, 0.0), d->forward(downsample2x(x), level - 1, 1.0), 1e-5, 1e-5));
  }
  // Reals are blended the same way: alpha 0 gives the upsampled half-resolution image.
  const torch::Tensor x = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
  const torch::Tensor faded = fade_real_images(x, 0.0);
  EXPECT_FLOAT_EQ(faded[0][0][0][0].item<float>(), (0 + 1 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(faded[0][0][3][3].item<float>(), (10 + 11 + 14 + 15) / 4.0f);
  EXPECT_TRUE(torch::equal(fade_real_images(x, 1.0), x));
  EXPECT_TRUE(torch::allclose(fade_real_images(x, 0.25), 0.75 * faded + 0.25 * x));
}

}  // namespace
}  // namespace gankit

namespace gankit {
namespace {

TEST(ProganSchedule, StableThenFadeThenStablePerLevel) {
  const ProganSchedule s{4, 600, 600};  // 32x32: levels 4, 8, 16, 32
  auto at = [&](double kimg) { return s.at(static_cast<int64_t>(kimg * 1000)); };
  EXPECT_EQ(at(0).level, 0);
  EXPECT_EQ(at(599.999).segment, 0);
  EXPECT_EQ(at(600).level, 1);  // 8x8 starts fading in
  EXPECT_DOUBLE_EQ(at(600).alpha, 0.0);
  EXPECT_DOUBLE_EQ(at(750).alpha, 0.25);
  EXPECT_EQ(at(750).segment, 1);
  EXPECT_DOUBLE_EQ(at(750).lod(), 0.25);
  EXPECT_DOUBLE_EQ(at(1200).lod(), 1.0);
  EXPECT_EQ(at(1200).level, 1);
  EXPECT_DOUBLE_EQ(at(1200).alpha, 1.0);
  EXPECT_EQ(at(1200).segment, 2);
  EXPECT_EQ(at(1800).segment, 3);  // 16x16 fading
  EXPECT_EQ(at(3000).segment, 5);  // 32x32 fading
  EXPECT_DOUBLE_EQ(at(3300).alpha, 0.5);
  EXPECT_EQ(at(3600).level, 3);
  EXPECT_EQ(at(3600).segment, 6);
  EXPECT_EQ(at(100000).segment, 6);  // the last level trains on
  EXPECT_DOUBLE_EQ(at(100000).alpha, 1.0);
  for (int seg = 0; seg <= 6; ++seg) {
    EXPECT_EQ(s.at(s.segment_start(seg)).segment, seg) << seg;
    if (seg > 0) {
      EXPECT_EQ(s.at(s.segment_start(seg) - 1).segment, seg - 1) << seg;
    }
  }
  EXPECT_EQ(s.segment_start(1), 600000);
  EXPECT_EQ(s.segment_start(2), 1200000);
  EXPECT_EQ(progan_batch(16, 128), 16);
  EXPECT_EQ(progan_batch(16, 256), 8);
  EXPECT_EQ(progan_batch(16, 1024), 4);
}

TEST(Progan, MovingAverageOfTheGenerator) {
  torch::manual_seed(4);
  ProganGenerator g(tiny()), avg(tiny());
  const auto gp = g->parameters(), ap = avg->parameters();
  std::vector<torch::Tensor> before;
  for (const auto& p : ap) before.push_back(p.detach().clone());
  update_moving_average(*avg, *g, 0.999);
  for (size_t i = 0; i < ap.size(); ++i)
    EXPECT_TRUE(torch::allclose(ap[i], 0.999 * before[i] + 0.001 * gp[i], 1e-6, 1e-7)) << i;
}

namespace fs = std::filesystem;
using test::TempDir;

// Growth 4 -> 8 -> 16 on 40 gray images: 16-image phases of 4-image minibatches (4 steps each).
TrainConfig tiny_run(const fs::path& data, double kimg) {
  TrainConfig c = defaults_for(GanArch::Progan, GanLoss::WganGp);
  c.data = data.string();
  c.resolution = 16;
  c.fmap_base = 32;
  c.fmap_max = 8;
  c.z_dim = 8;
  c.batch = 4;
  c.fade_kimg = c.stable_kimg = 0.016;
  c.kimg = kimg;
  c.threads = 1;
  c.log_every = 1;
  c.sample_every = 0;
  c.checkpoint_every = 0;
  c.keep_every = 0;
  return c;
}

TrainOptions quiet_options(bool resume = false) {
  TrainOptions o;
  o.resume = resume;
  o.progress.quiet = true;
  return o;
}
const TrainOptions kQuiet = quiet_options();

std::map<std::string, torch::Tensor> all_weights(const fs::path& ckpt) {
  LoadedModels m = load_models(ckpt, torch::kCPU);
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : m.models.pg->named_parameters()) out["G." + item.key()] = item.value();
  for (const auto& item : m.models.pg_ema->named_parameters()) out["G_ema." + item.key()] = item.value();
  for (const auto& item : m.models.pd->named_parameters()) out["D." + item.key()] = item.value();
  return out;
}

TEST(ProganTrainer, GrowsThroughEveryLevelAndKeepsEachPhase) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 1, 16);
  TrainConfig c = tiny_run(dir / "d.h5", 0.08);  // 80 images: 20 steps, ends 16 images into 16x16 stable
  c.sample_every = 100;
  const TrainSummary s = train_gan(c, dir / "run", kQuiet);
  EXPECT_EQ(s.state.step, 20);
  EXPECT_EQ(s.state.images, 80);
  EXPECT_EQ(s.state.opt_segment, 4);
  const auto log = test::read_jsonl(dir / "run" / "log.jsonl");
  ASSERT_EQ(log.size(), 20u);
  // Step k (1-based) ends at 4k images; the record gives the position after the step.
  const std::vector<int> resolution = {4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 16};
  const std::vector<double> alpha = {1, 1, 1, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1};
  for (size_t k = 0; k < log.size(); ++k) {
    EXPECT_EQ(log[k]["resolution"], resolution[k]) << k;
    EXPECT_NEAR(log[k]["alpha"].get<double>(), alpha[k], 1e-12) << k;
    EXPECT_DOUBLE_EQ(log[k]["kimg"].get<double>(), 0.004 * static_cast<double>(k + 1)) << k;
    EXPECT_GT(log[k]["gp"].get<double>(), 0.0) << k;
    EXPECT_GE(log[k]["drift"].get<double>(), 0.0) << k;
  }
  for (const char* phase :
       {"phase00_4x4_stable.pt", "phase01_8x8_fade.pt", "phase02_8x8_stable.pt", "phase03_16x16_fade.pt"})
    EXPECT_TRUE(fs::is_regular_file(dir / "run" / "checkpoints" / phase)) << phase;
  EXPECT_EQ(read_checkpoint_meta(dir / "run" / "checkpoints" / "phase01_8x8_fade.pt").state.images, 32);
  // The last grid: 8x8 samples of 16x16, enlarged to 32 px, with 2-px gutters.
  const cv::Mat grid = read_image(s.samples);
  EXPECT_EQ(grid.cols, 8 * 32 + 9 * 2);
  EXPECT_EQ(grid.rows, 8 * 32 + 9 * 2);

  // Sampling: the moving average at the level reached, or an earlier level.
  LoadedGenerator g = load_generator(dir / "run" / "checkpoints" / "latest.pt", torch::kCPU);
  EXPECT_EQ(g.resolution(), 16);
  EXPECT_EQ(generate_images(g, 0, 3, 1, torch::kCPU).h, 16);
  LoadedGenerator g8 = load_generator(dir / "run" / "checkpoints" / "latest.pt", torch::kCPU, 8);
  EXPECT_EQ(g8.level, 1);
  EXPECT_EQ(g8.alpha, 1.0);
  EXPECT_EQ(generate_images(g8, 0, 3, 1, torch::kCPU).h, 8);
  EXPECT_THROW(load_generator(dir / "run" / "checkpoints" / "phase01_8x8_fade.pt", torch::kCPU, 16), Error);
  // The sampler is the average, not G: they differ once G has trained.
  LoadedModels m = load_models(dir / "run" / "checkpoints" / "latest.pt", torch::kCPU);
  const auto z = torch::randn({2, 8});
  EXPECT_FALSE(torch::allclose(m.models.pg->forward(z, 2, 1.0), m.models.pg_ema->forward(z, 2, 1.0)));
}

TEST(ProganTrainer, ResumeInsideAFadeAndAtAPhaseBoundaryIsExact) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 1, 16);
  const fs::path straight = dir / "straight";
  const TrainSummary s = train_gan(tiny_run(dir / "d.h5", 0.06), straight, kQuiet);
  const auto a = all_weights(straight / "checkpoints" / "latest.pt");
  // 0.052: a quarter into the 16x16 fade; 0.048: the last step of 8x8 stable (the resumed run
  // starts the fade with fresh optimisers); 0.024: inside the 8x8 fade, with a level change after.
  for (double split : {0.052, 0.048, 0.024}) {
    const fs::path run = dir / fmt::format("split{}", split);
    train_gan(tiny_run(dir / "d.h5", split), run, kQuiet);
    TrainOptions resume = kQuiet;
    resume.resume = true;
    const TrainSummary r = train_gan(tiny_run(dir / "d.h5", 0.06), run, resume);
    EXPECT_EQ(r.state.images, s.state.images) << split;
    const auto b = all_weights(run / "checkpoints" / "latest.pt");
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << split << " " << k;
    const auto la = test::read_jsonl(straight / "log.jsonl"), lb = test::read_jsonl(run / "log.jsonl");
    ASSERT_EQ(la.size(), lb.size()) << split;
    for (size_t i = 0; i < la.size(); ++i)
      for (const char* key : {"loss_d", "loss_g", "gp", "drift", "alpha", "resolution", "kimg"})
        EXPECT_EQ(la[i][key], lb[i][key]) << split << " record " << i << " " << key;
  }
}

// Trains config(end) straight, and config(split) then resumed to config(end); the weights (G, its
// moving average, D) must be equal to the bit.
void expect_exact_resume(const fs::path& dir, const std::function<TrainConfig(double)>& config, double split,
                         double end) {
  const fs::path straight = dir / "straight", run = dir / fmt::format("split{}", split);
  if (!fs::exists(straight)) train_gan(config(end), straight, kQuiet);
  train_gan(config(split), run, kQuiet);
  train_gan(config(end), run, quiet_options(true));
  const auto a = all_weights(straight / "checkpoints" / "latest.pt");
  const auto b = all_weights(run / "checkpoints" / "latest.pt");
  for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << split << " " << k;
}

// lsgan, ProGAN's other loss (no penalty, no drift), resumed inside the 16x16 fade.
TEST(ProganTrainer, ResumeIsExactWithLsgan) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 1, 16);
  auto config = [&](double kimg) {
    TrainConfig c = tiny_run(dir / "d.h5", kimg);
    c.loss = GanLoss::Lsgan;
    c.gp_lambda = 0;
    c.drift = 0;
    return c;
  };
  expect_exact_resume(dir.path(), config, 0.052, 0.06);
  EXPECT_FALSE(test::read_jsonl(dir / "straight" / "log.jsonl").back().contains("gp"));  // least squares only
}

// Every level streamed (1 MB cache; the 16x16 level of 5000 images is 1.3 MB: windows of 2048):
// resuming inside the 16x16 fade reads on exactly, and a level change opens the next level's
// stream at the run's position.
TEST(ProganTrainer, ResumeIsExactOnStreamedLevels) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 5000, 1, 16);
  auto config = [&](double kimg) {
    TrainConfig c = tiny_run(dir / "d.h5", kimg);
    c.data_in_memory = DataResidency::Stream;
    c.data_cache_mb = 1;
    return c;
  };
  for (double split : {0.052, 0.024}) expect_exact_resume(dir.path(), config, split, 0.06);
}

TEST(ProganTrainer, RefusesSettingsItCannotTrain) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", 40, 1, 16);
  auto expect_usage = [&](TrainConfig c, const std::string& needle) {
    try {
      train_gan(c, dir / "bad", kQuiet);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(test::cli_message(e).find(needle), std::string::npos) << e.what();
    }
  };
  TrainConfig c = tiny_run(dir / "d.h5", 0.02);
  c.resolution = 32;  // the data stops at 16x16
  expect_usage(c, "32");
  c = tiny_run(dir / "d.h5", 0.02);
  c.loss = GanLoss::Gan;
  expect_usage(c, "wgan-gp");
  c = tiny_run(dir / "d.h5", 0.02);
  c.batch = 6;
  expect_usage(c, "multiple of its group size 4");
  c = tiny_run(dir / "d.h5", 0.0);
  expect_usage(c, "--kimg");
  c = tiny_run(dir / "d.h5", 0.02);
  c.steps = 5;
  expect_usage(c, "--kimg instead of --steps");
  c = tiny_run(dir / "d.h5", 0.02);
  c.n_critic = 5;
  expect_usage(c, "one critic step");
  c = tiny_run(dir / "d.h5", 0.02);
  c.resolution = 12;
  expect_usage(c, "power of two");
  // Resuming a DCGAN run as progan names the field.
  test::write_pyramid(dir / "d32.h5", 40, 1, 32);
  TrainConfig dc = defaults_for(GanLoss::Gan);
  dc.data = (dir / "d32.h5").string();
  dc.ngf = dc.ndf = 8, dc.z_dim = 8, dc.batch = 8, dc.steps = 1, dc.threads = 1;
  dc.sample_every = dc.keep_every = 0;
  train_gan(dc, dir / "dcgan", kQuiet);
  TrainConfig p = tiny_run(dir / "d32.h5", 0.02);
  p.resolution = 32;
  try {
    train_gan(p, dir / "dcgan", quiet_options(true));
    ADD_FAILURE() << "resumed a dcgan run as progan";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("arch: \"dcgan\" in the run, \"progan\" now"), std::string::npos) << e.what();
  }
}

TEST(ProganTrainer, ConfigRoundTripsThroughJson) {
  TrainConfig c = tiny_run("x.h5", 1.5);
  const TrainConfig back = from_json(to_json(c));
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_EQ(back.arch, GanArch::Progan);
  EXPECT_EQ(back.fmap_max, 8);
  EXPECT_DOUBLE_EQ(back.drift, 0.001);
  EXPECT_DOUBLE_EQ(back.g_ema, 0.999);
  EXPECT_DOUBLE_EQ(back.lr_g, 1e-3);
  EXPECT_DOUBLE_EQ(back.beta2, 0.99);
  EXPECT_EQ(defaults_for(GanArch::Progan, GanLoss::Lsgan).gp_lambda, 0.0);
  // A run written before these fields existed reads them as their defaults.
  nlohmann::json old = to_json(defaults_for(GanLoss::Gan));
  old.erase("fmap_base");
  old.erase("g_ema");
  EXPECT_EQ(first_training_difference(to_json(from_json(old)), to_json(defaults_for(GanLoss::Gan))), "");
}

}  // namespace
}  // namespace gankit
