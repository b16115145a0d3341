// gan-eval features and gan-eval svm end to end on a small Fashion-MNIST subset (a tiny DCGAN
// trained by gan-train), the reproduction scripts on small CIFAR-10 / SVHN files in the real
// formats, and one clear line for every bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "feature_store.h"
#include "fixtures.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::expect_cli_error;
using test::flags;
using test::run;
using test::TempDir;

std::string eval() { return test::bin("gan-eval"); }

// 600 training and 300 test images of Fashion-MNIST and a 30-step DCGAN with ndf 8 on them.
class FeaturesCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string fm = test::fashion_mnist_dir();
    if (fm.empty()) return;
    dir_ = new TempDir;
    auto ok = [](const test::Command& cmd) {
      const auto r = run(cmd);
      ASSERT_EQ(r.exit_code, 0) << cmd.argv[1] << "\n" << r.err;
    };
    ok({test::gan_data(), "import", fm, path("train.h5"), flags("--split train --limit 600 -q")});
    ok({test::gan_data(), "import", fm, path("test.h5"), flags("--split test --limit 300 -q")});
    ok({test::gan_train(), "--data", path("train.h5"), "--out", path("run"),
        flags("--steps 30 --ngf 8 --ndf 8 --z-dim 16 --batch 16 --threads 1 -q")});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "Fashion-MNIST (dataset-fashion-mnist) is not installed";
  }
  static std::string path(const std::string& name) { return (dir_->path() / name).string(); }
  static nlohmann::json run_json(const test::Command& cmd) {
    const auto r = run(cmd.with({flags("--json -q")}));
    EXPECT_EQ(r.exit_code, 0) << cmd.argv[1] << "\n" << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }
  static test::Command features(std::initializer_list<test::Args> args) {
    return test::Command{eval(), "features"}.add(args).add({flags("--threads 1")});
  }
  static TempDir* dir_;
};
TempDir* FeaturesCli::dir_ = nullptr;

TEST_F(FeaturesCli, FeaturesAndSvmOfTheThreeKinds) {
  const test::Command split = {"--split", "test=" + path("test.h5")};
  const auto d = run_json(features({path("run"), path("train.h5"), path("d.h5"), split}));
  EXPECT_EQ(d["kind"], "discriminator");
  EXPECT_EQ(d["dims"], 8 * 16 + 16 * 16 + 32 * 16);  // ndf 8: 8, 16, 32 maps pooled to 4x4
  EXPECT_EQ(d["layers"].size(), 3u);
  EXPECT_EQ(d["splits"]["train"], 600);
  EXPECT_EQ(d["splits"]["test"], 300);
  EXPECT_NE(d["bn_statistics"].get<std::string>().find("estimated over 600 images"), std::string::npos);
  const auto raw = run_json(features({path("train.h5"), path("raw.h5"), "--raw-pixels", split}));
  EXPECT_EQ(raw["dims"], 1024);
  const auto rnd =
      run_json(features({path("run"), path("train.h5"), path("rnd.h5"), flags("--random-init --seed 4"), split}));
  EXPECT_EQ(rnd["dims"], 896);

  // The feature file: labels of Fashion-MNIST, raw pixels exactly v / 127.5 - 1, provenance.
  const FeatureReader fd(path("d.h5")), fr(path("raw.h5"));
  EXPECT_EQ(fd.attributes().at("kind"), "discriminator");
  EXPECT_EQ(fd.attributes().at("layer_dims"), "128,256,512");
  EXPECT_EQ(fd.labels("test").size(), 300u);
  std::vector<float> px(1024);
  fr.read_rows("train", 5, 1, px.data());
  for (float v : px) EXPECT_NEAR((v + 1) * 127.5f, std::round((v + 1) * 127.5f), 1e-3f);
  EXPECT_FLOAT_EQ(px[0], -1.0f);  // the zero padding of 28x28 to 32x32

  // Features do not depend on --batch.
  run_json(features({path("run"), path("train.h5"), path("d7.h5"), split, flags("--batch 7")}));
  const FeatureReader f7(path("d7.h5"));
  std::vector<float> a(896 * 20), b(896 * 20);
  fd.read_rows("test", 280, 20, a.data());
  f7.read_rows("test", 280, 20, b.data());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5f * (1 + std::fabs(a[i]))) << i;

  const test::Args protocol = flags("--validation 100 --labels-per-class 5 --draws 2 --final-draws 3 --C 1e-3,1e-2");
  double errors[2];
  int k = 0;
  for (const char* file : {"d.h5", "raw.h5"}) {
    const auto s = run_json({eval(), "svm", path(file), protocol});
    EXPECT_EQ(s["protocol"], "fashion-mnist");
    EXPECT_EQ(s["labelled_examples"], 50);
    EXPECT_EQ(s["validation"], 100);
    EXPECT_EQ(s["pool"], 500);
    EXPECT_EQ(s["test"], 300);
    ASSERT_EQ(s["search"].size(), 2u);
    EXPECT_EQ(s["search"][0]["errors"].size(), 2u);
    ASSERT_EQ(s["test_errors"].size(), 3u);
    errors[k++] = s["test_error"];
    EXPECT_GT(s["test_error"].get<double>(), 0.0);
    EXPECT_LT(s["test_error"].get<double>(), 60.0);  // 10 classes: chance is 90% error
    EXPECT_NEAR(s["test_accuracy"].get<double>(), 100.0 - s["test_error"].get<double>(), 1e-9);
  }
  EXPECT_NE(errors[0], errors[1]);
  // The readable output: the search table with the chosen C marked, and the test figure.
  const auto text = run({eval(), "svm", path("d.h5"), protocol, "-q"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(" *"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("test error:"), std::string::npos) << text.out;
  // The cifar10 protocol: every label, one fit.
  const auto c10 = run_json({eval(), "svm", path("d.h5"), flags("--protocol cifar10 --C 0.01")});
  EXPECT_EQ(c10["labelled_examples"], 600);
  EXPECT_EQ(c10["test_errors"].size(), 1u);
}

TEST_F(FeaturesCli, CheckpointStatisticsAreAnOption) {
  const auto r = run_json(features({path("run"), path("test.h5"), path("ck.h5"), flags("--bn-stats checkpoint")}));
  EXPECT_EQ(r["bn_statistics"], "the checkpoint's running averages");
  EXPECT_EQ(r["splits"]["train"], 300);  // DATA.h5 is the "train" split of the file
}

TEST_F(FeaturesCli, BnImagesAndSvmSplitsReachTheComputation) {
  // --bn-images: BatchNorm statistics from the first 64 images differ from those of all 600, and
  // say so; the features change with them.
  const auto all = run_json(features({path("run"), path("train.h5"), path("bn_all.h5")}));
  const auto some = run_json(features({path("run"), path("train.h5"), path("bn64.h5"), flags("--bn-images 64")}));
  EXPECT_NE(all["bn_statistics"].get<std::string>().find("over 600 images"), std::string::npos) << all;
  EXPECT_NE(some["bn_statistics"].get<std::string>().find("over 64 images"), std::string::npos) << some;
  const FeatureReader a(path("bn_all.h5")), b(path("bn64.h5"));
  std::vector<float> fa(static_cast<size_t>(a.dim())), fb(fa.size());
  a.read_rows("train", 0, 1, fa.data());
  b.read_rows("train", 0, 1, fb.data());
  EXPECT_NE(fa, fb);
  // svm --train-split / --test-split: the splits named are the ones used (train on "test",
  // report on "train": the counts say which).
  run_json(
      features({path("run"), path("train.h5"), path("both.h5"), "--split", fmt::format("test={}", path("test.h5"))}));
  const test::Args protocol = flags("--validation 50 --labels-per-class 5 --draws 2 --final-draws 2 --C 1e-2");
  const auto forward = run_json({eval(), "svm", path("both.h5"), protocol});
  const auto reverse =
      run_json({eval(), "svm", path("both.h5"), protocol, flags("--train-split test --test-split train")});
  ASSERT_TRUE(forward.is_object() && reverse.is_object());
  EXPECT_EQ(forward["test"], 300);  // the error is reported on the 300 test images ...
  EXPECT_EQ(reverse["test"], 600);  // ... or, reversed, on the 600 training images
  EXPECT_LT(reverse["pool"].get<int64_t>(), forward["pool"].get<int64_t>()) << forward << reverse;
}

TEST_F(FeaturesCli, BadInputsGiveOneClearLine) {
  const std::string ckpt = path("run"), train = path("train.h5");
  TempDir dir;
  const std::string rgb = (dir / "rgb.h5").string(), small = (dir / "small.h5").string();
  test::write_pyramid(rgb, 10, 3, 32);
  test::write_pyramid(small, 10, 1, 16);
  const std::string out = (dir / "f.h5").string();
  expect_cli_error(run(features({ckpt, rgb, out})), 2, "has 3-channel images but the discriminator takes 1");
  expect_cli_error(run(features({ckpt, small, out})), 2, "has no 32x32 level");
  expect_cli_error(run(features({ckpt, train, out, flags("--layers 3")})), 1, "conv layers 0..2");
  expect_cli_error(run(features({ckpt, train, out, flags("--layers 0,a")})), 1, "--layers '0,a'");
  expect_cli_error(run(features({ckpt, train, out, flags("--layers 0,-1")})), 1, "expected 'all' or indices");
  expect_cli_error(run(features({ckpt, train, out, flags("--pool 3")})), 1, "power of two");
  expect_cli_error(run(features({train, train, out})), 2, "is not a gankit checkpoint");
  expect_cli_error(run(features({ckpt, train, out, "--split", fmt::format("test={}", (dir / "no.h5").string())})), 2,
                   "does not exist");
  expect_cli_error(run(features({ckpt, train, out, flags("--split test")})), 1, "expected NAME=FILE.h5");
  expect_cli_error(run(features({ckpt, train, out, "--raw-pixels"})), 1, "expected DATA.h5 OUT.h5 with --raw-pixels");
  expect_cli_error(run(features({ckpt, train, out, flags("--random-init --bn-stats checkpoint")})), 1,
                   "has no statistics");
  expect_cli_error(run(features({train, out, flags("--raw-pixels --device cuda:9")})), 1, "cuda");
  EXPECT_FALSE(fs::exists(out));  // nothing half-written
  // An existing output is kept unless --overwrite.
  ASSERT_EQ(run(features({small, out, flags("--raw-pixels -q")})).exit_code, 0);
  expect_cli_error(run(features({small, out, "--raw-pixels"})), 2, "exists");

  // svm: the features of `small` have no labels; bad C; too few examples per class; not a feature file.
  const std::string raw = (dir / "raw.h5").string();
  ASSERT_EQ(run(features({train, raw, flags("--raw-pixels --split"), fmt::format("test={}", path("test.h5")), "-q"}))
                .exit_code,
            0);
  const struct {
    test::Command args;
    int code;
    const char* message;
  } svm_cases[] = {
      {{out}, 2, "has no labels"},
      {{raw, flags("--C 1e-3,0")}, 1, "--C 0 must be positive"},
      {{raw, flags("--C 1e-3,x")}, 1, "--C '1e-3,x'"},
      {{raw, flags("--validation 100 --labels-per-class 100")}, 2, "fewer than --labels-per-class 100"},
      {{train}, 2, "is not a feature file"},
      {{raw, flags("--protocol stl10")}, 1, "--protocol stl10"},
  };
  for (const auto& c : svm_cases) {
    SCOPED_TRACE(c.message);
    expect_cli_error(run({eval(), "svm", c.args}), c.code, c.message);
  }
}

// The reproduction scripts run their whole pipeline on small files in the real formats.
test::RunResult script(const std::string& name, const fs::path& data, const fs::path& work) {
  return run({"bash", fmt::format("{}/scripts/{}", GANKIT_SOURCE_DIR, name), data, work,
              flags("--steps 20 --width 8 --batch 16 --threads 1 --validation 20 --labels-per-class 2 --draws 2 "
                    "--final-draws 2 --C 1e-3,1e-2")},
             {.env = {{"GANKIT_BIN", GANKIT_BIN_DIR}}});
}

void expect_table(const fs::path& table) {
  std::ifstream in(table);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string t = ss.str();
  EXPECT_NE(t.find("| trained D (step 20) | 896 |"), std::string::npos) << t;
  EXPECT_NE(t.find("| random-init D | 896 |"), std::string::npos) << t;
  EXPECT_NE(t.find("| raw-pixels | 3072 |"), std::string::npos) << t;
}

TEST(ReproduceScripts, Cifar10PipelineOnSmallBinaryBatches) {
  TempDir dir;
  fs::create_directories(dir / "cifar");
  test::write_cifar10(dir / "cifar", 20, 30);
  const auto r = script("reproduce-cifar10.sh", dir / "cifar", dir / "w");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_table(dir / "w" / "table.md");
  EXPECT_NE(r.out.find("82.8%"), std::string::npos);  // the paper's figure next to ours
  fs::remove(dir / "cifar" / "data_batch_3.bin");
  const auto missing = script("reproduce-cifar10.sh", dir / "cifar", dir / "w2");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("data_batch_3.bin"), std::string::npos) << missing.err;
}

TEST(ReproduceScripts, SvhnPipelineOnSmallMatFiles) {
  TempDir dir;
  fs::create_directories(dir / "svhn");
  test::write_svhn(dir / "svhn" / "train_32x32.mat", 100);
  test::write_svhn(dir / "svhn" / "test_32x32.mat", 30);
  const auto r = script("reproduce-svhn.sh", dir / "svhn", dir / "w");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_table(dir / "w" / "table.md");
  EXPECT_NE(r.out.find("22.48%"), std::string::npos);
  fs::remove(dir / "svhn" / "test_32x32.mat");
  const auto missing = script("reproduce-svhn.sh", dir / "svhn", dir / "w2");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("test_32x32.mat"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace gankit
