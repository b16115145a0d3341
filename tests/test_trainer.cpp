// The DCGAN-family training loop (lib/nn/trainer.h): checkpoints and exact resume for every loss,
// on streamed data, through the critic warm-up and on two threads; epoch length; sampling
// (generate.h). Tiny networks (ngf = ndf = 8) on 32x32 fixtures keep this fast.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "checkpoint_weights.h"
#include "dcgan.h"
#include "fixtures.h"
#include "generate.h"
#include "real_images.h"
#include "test_util.h"
#include "train_config.h"
#include "trainer.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

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
    const auto a = test::checkpoint_weights(straight / "checkpoints" / "latest.pt"),
               b = test::checkpoint_weights(split / "checkpoints" / "latest.pt");
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
  const auto a = test::checkpoint_weights(dir / "straight" / "checkpoints" / "latest.pt");
  const auto b = test::checkpoint_weights(dir / "split" / "checkpoints" / "latest.pt");
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
  const auto m = test::checkpoint_weights(dir / "memory" / "checkpoints" / "latest.pt");
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
    const auto a = test::checkpoint_weights(dir / (std::string(c.name) + "-straight") / "checkpoints" / "latest.pt");
    const auto b = test::checkpoint_weights(dir / (std::string(c.name) + "-split") / "checkpoints" / "latest.pt");
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
}  // namespace
}  // namespace gankit
