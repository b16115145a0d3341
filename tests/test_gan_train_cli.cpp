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
using test::flags;
using test::gan_train;
using test::run;
using test::TempDir;

// 40 gray 32x32 images and the flags of a tiny, single-threaded network.
struct Fixture {
  TempDir dir;
  std::string data = (dir / "d.h5").string();
  Fixture() { test::write_pyramid(dir / "d.h5", 40, 1, 32); }
  test::Command train(const std::string& run_dir, std::string_view extra) const {
    return {gan_train(), "--data",      data,
            "--out",     dir / run_dir, flags("--ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 -q"),
            flags(extra)};
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
  expect_cli_error(run({gan_train(), "--out", f.path("split"), flags("--resume --steps 6 --threads 1 -q")}), 2,
                   "log.jsonl line 2");
  test::write_bytes(log, good_log + "{\"step\": 4, \"loss_d\": 0}\n{\"step\": 5, \"loss");
  // Resume needs only the run folder and the new length.
  auto r = run({gan_train(), "--out", f.path("split"), flags("--resume --steps 6 --threads 1 -q")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto a = test::read_jsonl(f.dir / "straight/log.jsonl"), b = test::read_jsonl(f.dir / "split/log.jsonl");
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), 6u);
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* key : {"step", "loss_d", "loss_g", "d_real", "d_fake", "kimg"})
      EXPECT_EQ(a[i][key], b[i][key]) << i;
  for (const char* name : {"straight", "split"})
    ASSERT_EQ(run({gan_train(), "sample", f.path(name), flags("--num 12 --out"), f.path(std::string(name) + ".npy"),
                   flags("--threads 1 -q")})
                  .exit_code,
              0);
  EXPECT_EQ(test::read_bytes(f.dir / "straight.npy"), test::read_bytes(f.dir / "split.npy"));
  // Resuming a finished run does nothing and says so in the table.
  r = run({gan_train(), "--out", f.path("split"), flags("--resume --threads 1 -q")});
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
    return test::Command{gan_train(),
                         "--data",
                         f.data,
                         "--out",
                         f.path(name),
                         flags("--arch progan --resolution 8 --fmap-base 32 --fmap-max 8 --z-dim 8 --batch 4 "
                               "--fade-kimg 0.004 --stable-kimg 0.004 --kimg 0.02 --threads 1 --log-every 1 -q"),
                         flags(extra)};
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
    ASSERT_EQ(run({gan_train(), "sample", f.path(name), flags("--num 4 --out"), f.path(name + ".npy"),
                   flags("--threads 1 -q")})
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
    auto r = run({gan_train(), "sample", f.path("run"), flags("--num 20 --batch 7 --out"), f.path(out),
                  flags("--threads 1 -q --json")});
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
  auto r = run({test::gan_eval(), "msssim", f.path("s.h5"), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run({gan_train(), "interpolate", f.path("run"), flags("--rows 3 --cols 4 --out"), f.path("walk.png"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto grid = read_image(f.path("walk.png"), ColorMode::Keep);
  EXPECT_EQ(grid.cols, 4 * 34 + 2);
  EXPECT_EQ(grid.rows, 3 * 34 + 2);
}

// Progressive growing 4 -> 32 on the 32x32 fixture: 8-image phases of 4-image minibatches.
TEST(GanTrainCli, ProganGrowsResumesMidFadeAndSamples) {
  Fixture f;
  auto progan = [&](const std::string& run_dir, const std::string& extra, int resolution = 32) {
    return test::Command{gan_train(),
                         "--data",
                         f.data,
                         "--out",
                         f.path(run_dir),
                         "--resolution",
                         resolution,
                         flags("--arch progan --fmap-base 32 --fmap-max 8 --z-dim 8 --batch 4 --fade-kimg 0.008 "
                               "--stable-kimg 0.008 --threads 1 --log-every 1 -q"),
                         flags(extra)};
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
  r = run({gan_train(), "--out", f.path("split"), flags("--resume --kimg 0.064 -q --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["start_step"], 11);
  const auto a = test::read_jsonl(f.dir / "straight" / "log.jsonl"),
             b = test::read_jsonl(f.dir / "split" / "log.jsonl");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* key : {"loss_d", "loss_g", "gp", "alpha", "kimg"}) EXPECT_EQ(a[i][key], b[i][key]) << i << key;
  // Samples come from the moving average at 32x32, or at a level it grew through.
  r = run({gan_train(), "sample", f.path("split"), flags("--num 6 --out"), f.path("s32.npy"), flags("-q --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["resolution"], 32);
  r = run({gan_train(), "sample", f.path("split"), flags("--resolution 16 --num 6 --out"), f.path("s16.npy"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(load_npy(f.dir / "s16.npy").h, 16);
  const ImageBatch s1 = load_npy(f.dir / "s32.npy");
  r = run({gan_train(), "sample", f.path("straight"), flags("--num 6 --out"), f.path("t32.npy"), "-q"});
  const ImageBatch s2 = load_npy(f.dir / "t32.npy");
  EXPECT_TRUE(std::equal(s1.data.begin(), s1.data.end(), s2.data.begin()));  // resumed = uninterrupted
  r = run({gan_train(), "interpolate", f.path("split"), flags("--rows 2 --cols 3 --out"), f.path("walk.png"), "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Bad input.
  expect_cli_error(
      run({gan_train(), "sample", f.path("split"), flags("--resolution 64 --num 2 --out"), f.path("x.npy")}), 1,
      "has grown to 32x32");
  expect_cli_error(run(progan("bad1", "--kimg 1", 24)), 1, "power of two");
  expect_cli_error(run(progan("bad2", "--steps 5")), 1, "use --kimg instead of --steps");
  expect_cli_error(run(progan("bad3", "--kimg 1 --ngf 8")), 1, "--fmap-base");
  expect_cli_error(run(progan("bad4", "--kimg 1 --loss gan")), 1, "progan trains with wgan-gp");
  expect_cli_error(run(progan("bad5", "--kimg 1", 64)), 2, "64");
  ASSERT_EQ(run(f.train("dc", "--steps 1")).exit_code, 0);
  expect_cli_error(run({gan_train(), "--out", f.path("dc"), flags("--resume --arch progan --kimg 1 -q")}), 1,
                   "arch: \"dcgan\" in the run, \"progan\" now");
  expect_cli_error(run({test::gan_eval(), "features", f.path("split"), f.data, f.path("feat.h5"), "-q"}), 1,
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
    ASSERT_EQ(run({test::bin("gan-data"), "import", fm, fmt::format("{}/{}.h5", work, split), "--split", split,
                   "--limit", n, "-q"})
                  .exit_code,
              0);
  const test::Command script = {"bash", fmt::format("{}/scripts/progan-fashion-mnist.sh", GANKIT_SOURCE_DIR), work};
  const test::RunOptions bin{.env = {{"GANKIT_BIN", GANKIT_BIN_DIR}}};
  auto r = run(script.with({flags("--fade-kimg 0.032 --stable-kimg 0.032 --final-kimg 0.032 --fmap-base 32 "
                                  "--fmap-max 8 --batch 8 --threads 1 --num-images 256")}),
               bin);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string table = test::read_bytes(fs::path(work) / "table.md");
  for (const char* row :
       {"| real (train vs test) | - | 16x16 |", "| real (train vs test) | - | 32x32 |",
        "| phase03_16x16_fade (step 16) | 0.1 | 16x16 |", "| phase04_16x16_stable (step 20) | 0.2 | 16x16 |",
        "| phase05_32x32_fade (step 24) | 0.2 | 32x32 |", "| latest (step 32) | 0.3 | 32x32 |", "Training: 0.256 kimg"})
    EXPECT_NE(table.find(row), std::string::npos) << row << "\n" << table;
  r = run(script.with({flags("--bogus 1")}), bin);
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
  const test::Command train = {
      gan_train(),
      "--data",
      dir / "big.h5",
      "--out",
      dir / "run",
      flags("--resolution 64 --ngf 8 --ndf 8 --z-dim 16 --threads 1 --data-in-memory off --log-every 1")};
  auto r = run(train.with({flags("--batch 16 --steps 4 --data-cache-mb 16")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("streamed (windows of 682 images in runs of 22, 16 MB cache)"), std::string::npos) << r.err;
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);  // the largest of the finished children: gan-train
  EXPECT_LT(usage.ru_maxrss * 1024, kLevelBytes) << "peak RSS " << usage.ru_maxrss << " KiB";
  const auto config = nlohmann::json::parse(test::read_bytes(dir / "run" / "config.json"));
  EXPECT_EQ(config["data_in_memory"], "off");
  EXPECT_EQ(config["data_cache_mb"], 16);
  r = run({gan_train(), "--out", dir / "run", flags("--resume --steps 6 -q")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_cli_error(run({gan_train(), "--out", dir / "run", flags("--resume --steps 8 --data-cache-mb 32 -q")}), 1,
                   "data_cache_mb: 16 in the run, 32 now");
  expect_cli_error(run(train.with({flags("--batch 64 --steps 1 --overwrite --data-cache-mb 1 -q")})), 1,
                   "--data-cache-mb 1: streaming 64x64 images needs two windows of at least two minibatches of 64 "
                   "(3.1 MB)");
}

TEST(GanTrainCli, BadInputFailsWithOneClearLine) {
  Fixture f;
  expect_cli_error(run(f.train("a", "--steps 2 --resolution 64")), 2, "64");
  test::write_pyramid(f.dir / "d16.h5", 10, 1, 16);
  expect_cli_error(
      run({gan_train(), "--data", f.path("d16.h5"), "--out", f.path("b"), flags("--steps 1 --resolution 16 -q")}), 1,
      "--resolution 16: the dcgan architecture supports 32, 64 and 128");
  // Settings refused before training starts (exit 1), each with its own run folder.
  int k = 0;
  for (const auto& [options, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "give --steps N or --epochs E"},
           {"--steps 1 --loss hinge", "--loss 'hinge'"},
           {"--steps 1 --loss wgan-gp --d-norm batch", "cannot be used with a gradient"},
           // cuda:9: no such device on this machine nor on a one-GPU CUDA build.
           {"--steps 1 --device cuda:9", "--device cuda:9: no such CUDA device"},
           {"--steps 1 --betas 0.5", "--betas '0.5'"},
           {"--steps 1 --data-in-memory maybe", "--data-in-memory 'maybe': expected one of auto, on, off"},
           {"--steps 1 --data-cache-mb 0", "--data-cache-mb 0 must be positive"}}) {
    SCOPED_TRACE(options);
    expect_cli_error(run(f.train(fmt::format("bad{}", k++), options)), 1, message);
  }
  test::write_pyramid(f.dir / "d5.h5", 5, 1, 32);
  expect_cli_error(run({gan_train(), "--data", f.path("d5.h5"), "--out", f.path("g"), flags("--steps 1 --batch 8 -q")}),
                   2, "5 images, fewer than one minibatch of 8");
  expect_cli_error(run({gan_train(), "--out", f.path("i"), flags("--steps 1 -q")}), 1, "--data DATA.h5 is required");
  expect_cli_error(run({gan_train(), "--data", f.path("missing.h5"), "--out", f.path("j"), flags("--steps 1 -q")}), 2,
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
  expect_cli_error(run({gan_train(), "--out", f.path("run"), flags("--resume --steps 2 --lr-d 0.001 -q")}), 1,
                   "lr_d: 0.0002 in the run, 0.001 now");
  expect_cli_error(run({gan_train(), "--out", f.path("run"), flags("--resume --steps 2 --loss wgan -q")}), 1,
                   "settings differ");
  expect_cli_error(run({gan_train(), "--out", f.path("none"), flags("--resume --steps 2 -q")}), 2,
                   "holds no checkpoint to resume");
  // Sampling bad input.
  expect_cli_error(run({gan_train(), "sample", f.path("run"), flags("--num 0 --out"), f.path("x.npy")}), 1, "--num 0");
  expect_cli_error(run({gan_train(), "sample", f.path("d.h5"), flags("--num 2 --out"), f.path("x.npy")}), 2,
                   "not a gankit checkpoint");
  expect_cli_error(run({gan_train(), "sample", f.path(""), flags("--num 2 --out"), f.path("x.npy")}), 2,
                   "not a gan-train run");
  ASSERT_EQ(run({gan_train(), "sample", f.path("run"), flags("--num 2 --out"), f.path("x.npy"), "-q"}).exit_code, 0);
  expect_cli_error(run({gan_train(), "sample", f.path("run"), flags("--num 2 --out"), f.path("x.npy")}), 2, "exists");
}

}  // namespace
}  // namespace gankit
