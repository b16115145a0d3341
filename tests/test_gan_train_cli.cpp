// gan-train end to end: train, resume, sample and interpolate from the command line on a small
// pyramid, the run folder's files, and one clear line for every bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "npy.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::expect_cli_error;
using test::gan_train;
using test::run;
using test::TempDir;

// 40 gray 32x32 images and the flags of a tiny, single-threaded network.
struct Fixture {
  TempDir dir;
  std::string data = (dir / "d.h5").string();
  Fixture() { test::write_pyramid(dir / "d.h5", 40, 1, 32); }
  std::string train(const std::string& run_dir, const std::string& extra) const {
    return fmt::format("{} --data {} --out {} --ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 -q {}", gan_train(),
                       data, (dir / run_dir).string(), extra);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

TEST(GanTrainCli, TrainWritesTheRunFolder) {
  Fixture f;
  auto r = run(f.train("run",
                       "--loss wgan-gp --steps 6 --log-every 2 --sample-every 3 --checkpoint-every 3 "
                       "--keep-every 3 --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;  // -q: nothing on stderr
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["step"], 6);
  EXPECT_EQ(j["start_step"], 0);
  EXPECT_NEAR(j["epochs"].get<double>(), 6 * 5 / 5.0, 1e-9);  // 6 steps x 5 critic batches, 5 batches per epoch
  const fs::path run_dir = f.dir / "run";
  const auto config = nlohmann::json::parse(test::read_bytes(run_dir / "config.json"));
  EXPECT_EQ(config["loss"], "wgan-gp");
  EXPECT_EQ(config["d_norm"], "layer");
  EXPECT_DOUBLE_EQ(config["lr_d"].get<double>(), 1e-4);
  EXPECT_DOUBLE_EQ(config["beta2"].get<double>(), 0.9);
  EXPECT_EQ(config["channels"], 1);
  EXPECT_TRUE(config.contains("tool_version"));
  const auto log = test::read_jsonl(run_dir / "log.jsonl");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2]["step"], 6);
  for (const char* key : {"loss_d", "loss_g", "wdist", "gp", "d_real", "d_fake", "kimg", "images_per_s"})
    EXPECT_TRUE(log[2].contains(key)) << key;
  EXPECT_DOUBLE_EQ(log[2]["kimg"].get<double>(), 6 * 5 * 8 / 1000.0);
  for (const char* name :
       {"samples/step_000000.png", "checkpoints/step_000000.pt", "samples/step_000003.png", "samples/step_000006.png",
        "checkpoints/latest.pt", "checkpoints/step_000003.pt", "checkpoints/step_000006.pt"})
    EXPECT_TRUE(fs::exists(run_dir / name)) << name;
  // An 8x8 grid of 32x32 gray images with 2-pixel borders.
  auto grid = read_image(run_dir / "samples/step_000006.png", ColorMode::Keep);
  EXPECT_EQ(grid.cols, 8 * 34 + 2);
  EXPECT_EQ(grid.rows, 8 * 34 + 2);
}

TEST(GanTrainCli, ResumeMatchesAnUninterruptedRun) {
  Fixture f;
  ASSERT_EQ(run(f.train("straight", "--steps 6 --log-every 1")).exit_code, 0);
  ASSERT_EQ(run(f.train("split", "--steps 3 --log-every 1")).exit_code, 0);
  // A crash after the last checkpoint leaves log records beyond it and a torn last line: resume
  // drops both. A damaged line inside the log is named, not dropped.
  const fs::path log = f.dir / "split/log.jsonl";
  const std::string good_log = test::read_bytes(log);
  test::write_bytes(log, "{\"step\": 1}\nnot json\n" + good_log);
  expect_cli_error(run(fmt::format("{} --out {} --resume --steps 6 --threads 1 -q", gan_train(), f.path("split"))), 2,
                   "log.jsonl line 2");
  test::write_bytes(log, good_log + "{\"step\": 4, \"loss_d\": 0}\n{\"step\": 5, \"loss");
  // Resume needs only the run folder and the new length.
  auto r = run(fmt::format("{} --out {} --resume --steps 6 --threads 1 -q", gan_train(), f.path("split")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto a = test::read_jsonl(f.dir / "straight/log.jsonl"), b = test::read_jsonl(f.dir / "split/log.jsonl");
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), 6u);
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* key : {"step", "loss_d", "loss_g", "d_real", "d_fake", "kimg"})
      EXPECT_EQ(a[i][key], b[i][key]) << i;
  for (const char* name : {"straight", "split"})
    ASSERT_EQ(run(fmt::format("{} sample {} --num 12 --out {} --threads 1 -q", gan_train(), f.path(name),
                              f.path(std::string(name) + ".npy")))
                  .exit_code,
              0);
  EXPECT_EQ(test::read_bytes(f.dir / "straight.npy"), test::read_bytes(f.dir / "split.npy"));
  // Resuming a finished run does nothing and says so in the table.
  r = run(fmt::format("{} --out {} --resume --threads 1 -q", gan_train(), f.path("split")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("6 -> 6"), std::string::npos) << r.out;
}

// Each training option reaches the run: recorded in config.json, and the losses (or, for the
// generator's moving average, the samples) differ from the same run without it, so an option
// that were parsed and then ignored would fail here.
TEST(GanTrainCli, EveryTrainingOptionChangesTheRun) {
  Fixture f;
  struct Case {
    std::string base, option, key;
    nlohmann::json value;
  };
  const std::string progan = "progan";  // a ProGAN run to 8x8 (its own width flags, below)
  auto command = [&](const std::string& name, const std::string& base, const std::string& extra) {
    if (base != progan) return f.train(name, base + " --steps 3 --log-every 1 " + extra);
    return fmt::format(
        "{} --data {} --out {} --arch progan --resolution 8 --fmap-base 32 --fmap-max 8 --z-dim 8 --batch 4 "
        "--fade-kimg 0.004 --stable-kimg 0.004 --kimg 0.02 --threads 1 --log-every 1 -q {}",
        gan_train(), f.data, f.path(name), extra);
  };
  const std::vector<Case> cases = {
      {"--loss wgan", "--clip 0.05", "clip", 0.05},
      {"--loss wgan --critic-warmup off", "--n-critic 2", "n_critic", 2},  // the warm-up would override it
      {"--loss wgan", "--critic-warmup off", "critic_warmup", false},
      {"--loss wgan-gp", "--gp-lambda 1", "gp_lambda", 1.0},
      {"--loss wgan-gp", "--d-norm none", "d_norm", "none"},
      {"--loss gan", "--optimizer rmsprop", "optimizer", "rmsprop"},
      {"--loss gan", "--lr 0.001", "lr_g", 0.001},
      {"--loss gan", "--arch dcgan-selu", "arch", "dcgan-selu"},
      {progan, "--drift 0.5", "drift", 0.5},
  };
  auto losses = [&](const std::string& name) {
    std::vector<double> out;
    for (const auto& rec : test::read_jsonl(f.dir / name / "log.jsonl")) out.push_back(rec["loss_d"].get<double>());
    return out;
  };
  int k = 0;
  for (const Case& c : cases) {
    const std::string base = "base" + std::to_string(k), with = "with" + std::to_string(k++);
    ASSERT_EQ(run(command(base, c.base, "")).exit_code, 0) << c.option;
    const auto r = run(command(with, c.base, c.option));
    ASSERT_EQ(r.exit_code, 0) << c.option << ": " << r.err;
    const auto config = nlohmann::json::parse(test::read_bytes(f.dir / with / "config.json"));
    EXPECT_EQ(config[c.key], c.value) << c.option;
    EXPECT_NE(losses(base), losses(with)) << c.option << " did not change the training";
  }
  // --g-ema changes only the moving average the samples come from.
  for (const char* ema : {"0.999", "0.5"}) {
    const std::string name = std::string("ema") + ema;
    ASSERT_EQ(run(command(name, progan, std::string("--g-ema ") + ema)).exit_code, 0);
    ASSERT_EQ(run(fmt::format("{} sample {} --num 4 --out {} --threads 1 -q", gan_train(), f.path(name),
                              f.path(name + ".npy")))
                  .exit_code,
              0);
  }
  EXPECT_EQ(losses("ema0.999"), losses("ema0.5"));
  EXPECT_NE(test::read_bytes(f.dir / "ema0.999.npy"), test::read_bytes(f.dir / "ema0.5.npy"));
}

TEST(GanTrainCli, SampleWritesWhatGanEvalReads) {
  Fixture f;
  ASSERT_EQ(run(f.train("run", "--loss lsgan --steps 2")).exit_code, 0);
  for (const char* out : {"s.npy", "s.h5", "s_png"}) {
    auto r = run(fmt::format("{} sample {} --num 20 --batch 7 --out {} --threads 1 -q --json", gan_train(),
                             f.path("run"), f.path(out)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["images"], 20);
  }
  const ImageBatch npy = load_npy(f.dir / "s.npy");
  EXPECT_EQ(npy.n, 20);
  EXPECT_EQ(npy.c, 1);
  EXPECT_EQ(npy.h, 32);
  PyramidReader h5(f.dir / "s.h5");
  EXPECT_EQ(h5.count(), 20);
  EXPECT_EQ(h5.info().attributes.at("importer"), "gan-train sample");
  const ImageBatch level = h5.read(32, 0, 20);
  EXPECT_TRUE(std::equal(level.data.begin(), level.data.end(), npy.data.begin()));  // same images, any format
  EXPECT_TRUE(fs::exists(f.dir / "s_png" / "00000019.png"));
  EXPECT_FALSE(fs::exists(f.dir / "s_png" / "00000020.png"));
  // gan-eval takes them.
  auto r = run(fmt::format("{} msssim {} --json", test::bin("gan-eval"), f.path("s.h5")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run(
      fmt::format("{} interpolate {} --rows 3 --cols 4 --out {} -q", gan_train(), f.path("run"), f.path("walk.png")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto grid = read_image(f.path("walk.png"), ColorMode::Keep);
  EXPECT_EQ(grid.cols, 4 * 34 + 2);
  EXPECT_EQ(grid.rows, 3 * 34 + 2);
}

// Progressive growing 4 -> 32 on the 32x32 fixture: 8-image phases of 4-image minibatches.
TEST(GanTrainCli, ProganGrowsResumesMidFadeAndSamples) {
  Fixture f;
  auto progan = [&](const std::string& run_dir, const std::string& extra, int resolution = 32) {
    return fmt::format(
        "{} --data {} --out {} --arch progan --resolution {} --fmap-base 32 --fmap-max 8 --z-dim 8 "
        "--batch 4 --fade-kimg 0.008 --stable-kimg 0.008 --threads 1 --log-every 1 -q {}",
        gan_train(), f.data, f.path(run_dir), resolution, extra);
  };
  auto r = run(progan("straight", "--kimg 0.064 --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["step"], 16);
  EXPECT_EQ(j["last"]["resolution"], 32);
  EXPECT_DOUBLE_EQ(j["last"]["alpha"].get<double>(), 1.0);
  const auto config = nlohmann::json::parse(test::read_bytes(f.dir / "straight" / "config.json"));
  EXPECT_EQ(config["arch"], "progan");
  EXPECT_EQ(config["loss"], "wgan-gp");
  EXPECT_DOUBLE_EQ(config["lr_g"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(config["drift"].get<double>(), 0.001);
  EXPECT_EQ(config["z_dim"], 8);
  for (const char* phase :
       {"phase00_4x4_stable.pt", "phase01_8x8_fade.pt", "phase04_16x16_stable.pt", "phase05_32x32_fade.pt"})
    EXPECT_TRUE(fs::exists(f.dir / "straight" / "checkpoints" / phase)) << phase;
  // Stop half-way through the 32x32 fade (0.044 kimg), resume to the same end.
  ASSERT_EQ(run(progan("split", "--kimg 0.044")).exit_code, 0);
  const auto mid = test::read_jsonl(f.dir / "split" / "log.jsonl").back();
  EXPECT_EQ(mid["resolution"], 32);
  EXPECT_NEAR(mid["alpha"].get<double>(), 0.5, 1e-12);
  r = run(fmt::format("{} --out {} --resume --kimg 0.064 -q --json", gan_train(), f.path("split")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["start_step"], 11);
  const auto a = test::read_jsonl(f.dir / "straight" / "log.jsonl"),
             b = test::read_jsonl(f.dir / "split" / "log.jsonl");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* key : {"loss_d", "loss_g", "gp", "alpha", "kimg"}) EXPECT_EQ(a[i][key], b[i][key]) << i << key;
  // Samples come from the moving average at 32x32, or at a level it grew through.
  r = run(fmt::format("{} sample {} --num 6 --out {} -q --json", gan_train(), f.path("split"), f.path("s32.npy")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["resolution"], 32);
  r = run(
      fmt::format("{} sample {} --resolution 16 --num 6 --out {} -q", gan_train(), f.path("split"), f.path("s16.npy")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(load_npy(f.dir / "s16.npy").h, 16);
  const ImageBatch s1 = load_npy(f.dir / "s32.npy");
  r = run(fmt::format("{} sample {} --num 6 --out {} -q", gan_train(), f.path("straight"), f.path("t32.npy")));
  const ImageBatch s2 = load_npy(f.dir / "t32.npy");
  EXPECT_TRUE(std::equal(s1.data.begin(), s1.data.end(), s2.data.begin()));  // resumed = uninterrupted
  r = run(
      fmt::format("{} interpolate {} --rows 2 --cols 3 --out {} -q", gan_train(), f.path("split"), f.path("walk.png")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Bad input.
  expect_cli_error(
      run(fmt::format("{} sample {} --resolution 64 --num 2 --out {}", gan_train(), f.path("split"), f.path("x.npy"))),
      1, "has grown to 32x32");
  expect_cli_error(run(progan("bad1", "--kimg 1", 24)), 1, "power of two");
  expect_cli_error(run(progan("bad2", "--steps 5")), 1, "use --kimg instead of --steps");
  expect_cli_error(run(progan("bad3", "--kimg 1 --ngf 8")), 1, "--fmap-base");
  expect_cli_error(run(progan("bad4", "--kimg 1 --loss gan")), 1, "progan trains with wgan-gp");
  expect_cli_error(run(progan("bad5", "--kimg 1", 64)), 2, "64");
  ASSERT_EQ(run(f.train("dc", "--steps 1")).exit_code, 0);
  expect_cli_error(run(fmt::format("{} --out {} --resume --arch progan --kimg 1 -q", gan_train(), f.path("dc"))), 1,
                   "arch: \"dcgan\" in the run, \"progan\" now");
  expect_cli_error(
      run(fmt::format("{} features {} {} {} -q", test::bin("gan-eval"), f.path("split"), f.data, f.path("feat.h5"))), 1,
      "progan checkpoint");
}

// scripts/progan-fashion-mnist.sh end to end on 600 Fashion-MNIST images with tiny phases: every
// kept phase from 16x16 up and the last checkpoint get an SWD row next to the real-data floor.
TEST(GanTrainCli, ProganFashionMnistScriptMeasuresEveryPhase) {
  const std::string fm = "/usr/share/datasets/fashion-mnist";
  if (!fs::is_directory(fm)) GTEST_SKIP() << "Fashion-MNIST (dataset-fashion-mnist) is not installed";
  TempDir dir;
  const std::string work = (dir / "work").string();
  fs::create_directories(work);
  for (const auto& [split, n] : {std::pair{"train", 600}, std::pair{"test", 300}})
    ASSERT_EQ(run(fmt::format("{} import {} {}/{}.h5 --split {} --limit {} -q", test::bin("gan-data"), fm, work, split,
                              split, n))
                  .exit_code,
              0);
  auto r =
      run(fmt::format("GANKIT_BIN={} bash {}/scripts/progan-fashion-mnist.sh {} --fade-kimg 0.032 "
                      "--stable-kimg 0.032 --final-kimg 0.032 --fmap-base 32 --fmap-max 8 --batch 8 --threads 1 "
                      "--num-images 256",
                      GANKIT_BIN_DIR, GANKIT_SOURCE_DIR, work));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string table = test::read_bytes(fs::path(work) / "table.md");
  for (const char* row :
       {"| real (train vs test) | - | 16x16 |", "| real (train vs test) | - | 32x32 |",
        "| phase03_16x16_fade (step 16) | 0.1 | 16x16 |", "| phase04_16x16_stable (step 20) | 0.2 | 16x16 |",
        "| phase05_32x32_fade (step 24) | 0.2 | 32x32 |", "| latest (step 32) | 0.3 | 32x32 |", "Training: 0.256 kimg"})
    EXPECT_NE(table.find(row), std::string::npos) << row << "\n" << table;
  r = run(fmt::format("GANKIT_BIN={} bash {}/scripts/progan-fashion-mnist.sh {} --bogus 1", GANKIT_BIN_DIR,
                      GANKIT_SOURCE_DIR, work));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown option --bogus"), std::string::npos) << r.err;
}

// A 64x64 RGB level of 320 MB trained through a 16 MB data cache: the process's peak memory stays
// below the level's size (held in memory, the level alone would exceed it); the run records how
// its data was read; a resume keeps that order and refuses another cache.
TEST(GanTrainCli, StreamsALevelLargerThanItsCacheInBoundedMemory) {
  TempDir dir;
  constexpr int64_t kImages = 26000, kLevelBytes = kImages * 3 * 64 * 64;  // 319.5 MB
  test::write_pyramid(dir / "big.h5", kImages, 3, 64);
  const std::string train = fmt::format(
      "{} --data {} --out {} --resolution 64 --ngf 8 --ndf 8 --z-dim 16 --threads 1 --data-in-memory off "
      "--log-every 1",
      gan_train(), (dir / "big.h5").string(), (dir / "run").string());
  auto r = run(train + " --batch 16 --steps 4 --data-cache-mb 16");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("streamed (windows of 682 images in runs of 22, 16 MB cache)"), std::string::npos) << r.err;
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);  // the largest of the finished children: gan-train
  EXPECT_LT(usage.ru_maxrss * 1024, kLevelBytes) << "peak RSS " << usage.ru_maxrss << " KiB";
  const auto config = nlohmann::json::parse(test::read_bytes(dir / "run" / "config.json"));
  EXPECT_EQ(config["data_in_memory"], "off");
  EXPECT_EQ(config["data_cache_mb"], 16);
  r = run(fmt::format("{} --out {} --resume --steps 6 -q", gan_train(), (dir / "run").string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_cli_error(
      run(fmt::format("{} --out {} --resume --steps 8 --data-cache-mb 32 -q", gan_train(), (dir / "run").string())), 1,
      "data_cache_mb: 16 in the run, 32 now");
  expect_cli_error(run(train + " --batch 64 --steps 1 --overwrite --data-cache-mb 1 -q"), 1,
                   "--data-cache-mb 1: streaming 64x64 images needs two windows of at least two minibatches of 64 "
                   "(3.1 MB)");
}

TEST(GanTrainCli, BadInputFailsWithOneClearLine) {
  Fixture f;
  expect_cli_error(run(f.train("a", "--steps 2 --resolution 64")), 2, "64");
  test::write_pyramid(f.dir / "d16.h5", 10, 1, 16);
  expect_cli_error(run(fmt::format("{} --data {} --out {} --steps 1 --resolution 16 -q", gan_train(), f.path("d16.h5"),
                                   f.path("b"))),
                   1, "--resolution 16: the dcgan architecture supports 32, 64 and 128");
  expect_cli_error(run(f.train("c", "")), 1, "give --steps N or --epochs E");
  expect_cli_error(run(f.train("d", "--steps 1 --loss hinge")), 1, "--loss 'hinge'");
  expect_cli_error(run(f.train("e", "--steps 1 --loss wgan-gp --d-norm batch")), 1, "cannot be used with a gradient");
  // cuda:9: no such device on this machine nor on a one-GPU CUDA build.
  expect_cli_error(run(f.train("f", "--steps 1 --device cuda:9")), 1, "--device cuda:9: no such CUDA device");
  test::write_pyramid(f.dir / "d5.h5", 5, 1, 32);
  expect_cli_error(
      run(fmt::format("{} --data {} --out {} --steps 1 --batch 8 -q", gan_train(), f.path("d5.h5"), f.path("g"))), 2,
      "5 images, fewer than one minibatch of 8");
  expect_cli_error(run(f.train("h", "--steps 1 --betas 0.5")), 1, "--betas '0.5'");
  expect_cli_error(run(f.train("h", "--steps 1 --data-in-memory maybe")), 1,
                   "--data-in-memory 'maybe': expected one of auto, on, off");
  expect_cli_error(run(f.train("h", "--steps 1 --data-cache-mb 0")), 1, "--data-cache-mb 0 must be positive");
  expect_cli_error(run(fmt::format("{} --out {} --steps 1 -q", gan_train(), f.path("i"))), 1,
                   "--data DATA.h5 is required");
  expect_cli_error(
      run(fmt::format("{} --data {} --out {} --steps 1 -q", gan_train(), f.path("missing.h5"), f.path("j"))), 2,
      "missing.h5");
  // An unwritable run folder: its parent is a file.
  test::write_bytes(f.dir / "file", "x");
  expect_cli_error(run(f.train("file/run", "--steps 1")), 2, "cannot create run folder");
  // Losses that blow up: stop with the last good checkpoint named.
  // (G's huge step at step 1 makes every value of step 2 overflow.)
  auto r = run(f.train("nan", "--steps 50 --lr-g 1e30 --checkpoint-every 1 --loss lsgan"));
  expect_cli_error(r, 2, "training diverged at step 2");
  EXPECT_NE(r.err.find("last good checkpoint: " + f.path("nan/checkpoints/latest.pt") + " (step 1)"), std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::exists(f.dir / "nan/checkpoints/latest.pt"));
  // Existing runs, resumes.
  ASSERT_EQ(run(f.train("run", "--steps 1")).exit_code, 0);
  expect_cli_error(run(f.train("run", "--steps 2")), 1, "already holds a run");
  EXPECT_EQ(run(f.train("run", "--steps 1 --overwrite")).exit_code, 0);
  expect_cli_error(run(fmt::format("{} --out {} --resume --steps 2 --lr-d 0.001 -q", gan_train(), f.path("run"))), 1,
                   "lr_d: 0.0002 in the run, 0.001 now");
  expect_cli_error(run(fmt::format("{} --out {} --resume --steps 2 --loss wgan -q", gan_train(), f.path("run"))), 1,
                   "settings differ");
  expect_cli_error(run(fmt::format("{} --out {} --resume --steps 2 -q", gan_train(), f.path("none"))), 2,
                   "holds no checkpoint to resume");
  // Sampling bad input.
  expect_cli_error(run(fmt::format("{} sample {} --num 0 --out {}", gan_train(), f.path("run"), f.path("x.npy"))), 1,
                   "--num 0");
  expect_cli_error(run(fmt::format("{} sample {} --num 2 --out {}", gan_train(), f.path("d.h5"), f.path("x.npy"))), 2,
                   "not a gankit checkpoint");
  expect_cli_error(run(fmt::format("{} sample {} --num 2 --out {}", gan_train(), f.path(""), f.path("x.npy"))), 2,
                   "not a gan-train run");
  ASSERT_EQ(run(fmt::format("{} sample {} --num 2 --out {} -q", gan_train(), f.path("run"), f.path("x.npy"))).exit_code,
            0);
  expect_cli_error(run(fmt::format("{} sample {} --num 2 --out {}", gan_train(), f.path("run"), f.path("x.npy"))), 2,
                   "exists");
}

}  // namespace
}  // namespace gankit
