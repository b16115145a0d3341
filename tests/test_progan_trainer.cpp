// The ProGAN training run (lib/nn/trainer.h with --arch progan): growth 4 -> 8 -> 16 with tiny
// feature maps, phase checkpoints, exact resume inside a fade and at a phase boundary, sampling,
// and the settings it refuses.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "checkpoint_weights.h"
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
  const auto a = test::checkpoint_weights(straight / "checkpoints" / "latest.pt");
  // 0.052: a quarter into the 16x16 fade; 0.048: the last step of 8x8 stable (the resumed run
  // starts the fade with fresh optimisers); 0.024: inside the 8x8 fade, with a level change after.
  for (double split : {0.052, 0.048, 0.024}) {
    const fs::path run = dir / fmt::format("split{}", split);
    train_gan(tiny_run(dir / "d.h5", split), run, kQuiet);
    TrainOptions resume = kQuiet;
    resume.resume = true;
    const TrainSummary r = train_gan(tiny_run(dir / "d.h5", 0.06), run, resume);
    EXPECT_EQ(r.state.images, s.state.images) << split;
    const auto b = test::checkpoint_weights(run / "checkpoints" / "latest.pt");
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
  const auto a = test::checkpoint_weights(straight / "checkpoints" / "latest.pt");
  const auto b = test::checkpoint_weights(run / "checkpoints" / "latest.pt");
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
