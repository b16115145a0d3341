// gan-eval fid, kid, prdc and stats end to end: a TorchScript Inception v3 made by
// scripts/export-inception.py (random weights: the real ones cannot be downloaded here) gives
// the features PyTorch gives on the same images and resize mode; statistics files are reused and
// refused when they do not match; a discriminator backbone (d:RUN); every bad input named.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "feature_store.h"
#include "fixtures.h"
#include "npy.h"
#include "test_util.h"

namespace gankit {
namespace {

namespace fs = std::filesystem;
using test::expect_cli_error;
using test::flags;
using test::gan_eval;
using test::run;

bool have_torch() { return run({"/usr/bin/python3", "-c", "import torch, torchvision"}).exit_code == 0; }

// Runs a Python program (written to a file: TorchScript needs the source of the classes it compiles).
test::RunResult python(const fs::path& dir, const std::string& code) {
  test::write_bytes(dir / "program.py", code);
  return run({"/usr/bin/python3", dir / "program.py"});
}

// Crops of scikit-image's astronaut photo: RGB 64x64 (two disjoint halves) and grey 28x28.
struct Inputs {
  test::TempDir dir;
  Inputs() {
    const auto r = python(dir.path(),
                          "import numpy as np\nfrom PIL import Image\n"
                          "im = np.asarray(Image.open(\"/usr/lib/python3/dist-packages/skimage/data/astronaut.png\"))\n"
                          "rng = np.random.RandomState(0)\n"
                          "def crops(n, x0, side):\n"
                          "  out = np.zeros((n, side, side, 3), np.uint8)\n"
                          "  for i in range(n):\n"
                          "    y, x = rng.randint(0, 512 - side), rng.randint(x0, x0 + 256 - side)\n"
                          "    out[i] = im[y:y + side, x:x + side]\n"
                          "  return out\n"
                          "np.save(\"" +
                              p("left.npy") +
                              "\", crops(10, 0, 64))\n"
                              "np.save(\"" +
                              p("right.npy") +
                              "\", crops(10, 256, 64))\n"
                              "np.save(\"" +
                              p("grey.npy") +
                              "\", crops(3, 0, 28).mean(axis=3, keepdims=True).astype(np.uint8))\n"
                              "np.save(\"" +
                              p("few.npy") +
                              "\", crops(4, 0, 64))\n"
                              "import torch\n"
                              "class Tiny(torch.nn.Module):\n"
                              "  def __init__(self):\n    super().__init__()\n    self.input_size = 16\n"
                              "  def forward(self, x):\n"
                              "    return torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3)), x.amax(dim=(2, 3))], 1)\n"
                              "class Image4d(torch.nn.Module):\n"
                              "  def __init__(self):\n    super().__init__()\n    self.input_size = 16\n"
                              "  def forward(self, x):\n    return x\n"
                              "class NoSize(torch.nn.Module):\n"
                              "  def forward(self, x):\n    return x.mean(dim=(2, 3))\n"
                              "class Nan(torch.nn.Module):\n"
                              "  def __init__(self):\n    super().__init__()\n    self.input_size = 8\n"
                              "  def forward(self, x):\n    m = x.mean(dim=(2, 3))\n    return (m - m) / (m - m)\n"
                              "for m, f in ((Tiny(), \"tiny.pt\"), (Image4d(), \"4d.pt\"), (NoSize(), \"nosize.pt\"), "
                              "(Nan(), \"nan.pt\")):\n"
                              "  torch.jit.script(m).save(\"" +
                              p("") + "\" + f)\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  std::string p(const std::string& name) const { return (dir / name).string(); }
};

// One Inception file for the whole suite (exporting it takes ~3 s). Needs python3-torch.
const Inputs& inputs() {
  static const Inputs in;
  static bool exported = false;
  if (!exported && have_torch()) {
    const auto r = run({"/usr/bin/python3", fmt::format("{}/scripts/export-inception.py", GANKIT_SOURCE_DIR),
                        flags("--random-weights --out"), in.p("inception.pt")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    exported = true;
  }
  return in;
}

std::vector<float> npy_floats(const fs::path& path, int64_t count) {
  const std::string bytes = test::read_bytes(path);
  const float* f = reinterpret_cast<const float*>(bytes.data() + bytes.size() - static_cast<size_t>(count) * 4);
  return std::vector<float>(f, f + count);
}

TEST(FeatureMetricsCli, InceptionFeaturesEqualPytorchsForEveryResizeMode) {
  if (!have_torch()) GTEST_SKIP() << "python3-torch not installed (scripts/install-deps.sh --test installs it)";
  const Inputs& in = inputs();
  for (const char* set : {"few", "grey"}) {
    const std::string images = in.p(std::string(set) + ".npy"), ref = in.p("ref.npy");
    const auto r =
        run({"/usr/bin/python3", fmt::format("{}/bench/reference_feature_metrics.py", GANKIT_SOURCE_DIR), "features",
             images, ref, "--backbone", in.p("inception.pt"), flags("--mode clean,legacy-pytorch,legacy-tf")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* mode : {"clean", "legacy-pytorch", "legacy-tf"}) {
      const std::string stats = in.p("s.h5");
      const auto g = run({gan_eval(), "stats", images, "--backbone", in.p("inception.pt"), "--resize", mode, "--out",
                          stats, flags("--overwrite --batch 3 -q")});
      ASSERT_EQ(g.exit_code, 0) << g.err;
      const FeatureReader reader(stats);
      ASSERT_EQ(reader.dim(), 2048);
      const int64_t n = reader.split("images").count;
      std::vector<float> ours(static_cast<size_t>(n * 2048));
      reader.read_rows("images", 0, n, ours.data());
      const std::vector<float> theirs = npy_floats(in.p("ref-" + std::string(mode) + ".npy"), n * 2048);
      double scale = 0, worst = 0;
      for (size_t k = 0; k < ours.size(); ++k) {
        scale = std::max(scale, double(std::abs(theirs[k])));
        worst = std::max(worst, double(std::abs(ours[k] - theirs[k])));
      }
      EXPECT_GT(scale, 0.01) << "features of a well-scaled random network";
      EXPECT_LE(worst, 1e-4 * scale) << set << " " << mode;
    }
  }
  // --batch is memory only: one image per call gives the features of batches of 3 (to float
  // rounding: the network's kernels may sum in another order for another batch shape).
  const std::string one = in.p("one.h5"), three = in.p("three.h5");
  for (const auto& [out, batch] : {std::pair{one, 1}, std::pair{three, 3}})
    ASSERT_EQ(run({gan_eval(), "stats", in.p("few.npy"), "--backbone", in.p("inception.pt"), "--out", out,
                   flags("--overwrite --batch"), batch, "-q"})
                  .exit_code,
              0);
  const FeatureReader a(one), b(three);
  std::vector<float> fa(4 * 2048), fb(4 * 2048);
  a.read_rows("images", 0, 4, fa.data());
  b.read_rows("images", 0, 4, fb.data());
  double scale = 0, worst = 0;
  for (size_t k = 0; k < fa.size(); ++k) {
    scale = std::max(scale, double(std::abs(fb[k])));
    worst = std::max(worst, double(std::abs(fa[k] - fb[k])));
  }
  EXPECT_LE(worst, 1e-5 * scale);
}

TEST(FeatureMetricsCli, StatisticsFileGivesTheSameNumbersAndIsRefusedWhenItDiffers) {
  if (!have_torch()) GTEST_SKIP() << "python3-torch not installed (scripts/install-deps.sh --test installs it)";
  const Inputs& in = inputs();
  const std::string net = in.p("tiny.pt");
  ASSERT_EQ(
      run({gan_eval(), "stats", in.p("left.npy"), "--backbone", net, "--out", in.p("left.h5"), flags("--overwrite -q")})
          .exit_code,
      0);
  for (const char* metric : {"fid", "kid --subset-size 5 --subsets 7", "prdc --k-pr 2 --k-dc 3"}) {
    const auto direct =
        run({gan_eval(), flags(metric), in.p("left.npy"), in.p("right.npy"), "--backbone", net, flags("--json -q")});
    const auto cached =
        run({gan_eval(), flags(metric), in.p("left.h5"), in.p("right.npy"), "--backbone", net, flags("--json -q")});
    ASSERT_EQ(direct.exit_code, 0) << direct.err;
    ASSERT_EQ(cached.exit_code, 0) << cached.err;
    auto a = nlohmann::json::parse(direct.out), b = nlohmann::json::parse(cached.out);
    for (const char* k : {"fid", "kid", "kid_std", "precision", "recall", "density", "coverage"})
      if (a.contains(k)) {
        EXPECT_EQ(a[k], b[k]) << metric << " " << k;
      }
    EXPECT_EQ(a["real_fingerprint"], b["real_fingerprint"]);
  }
  // A statistics file is not an input of gan-eval stats.
  expect_cli_error(run({gan_eval(), "stats", in.p("left.h5"), "--backbone", net, "--out", in.p("again.h5")}), 1,
                   in.p("left.h5") + " is already a statistics file");
  EXPECT_FALSE(fs::exists(in.p("again.h5")));
  // Another resize mode, another backbone file: refused, naming both.
  expect_cli_error(
      run({gan_eval(), "fid", in.p("left.h5"), in.p("right.npy"), "--backbone", net, flags("--resize legacy-tf")}), 2,
      "legacy-tf");
  expect_cli_error(run({gan_eval(), "kid", in.p("left.h5"), in.p("right.npy"), "--backbone", in.p("nosize.pt"),
                        flags("--backbone-size 16 --subset-size 5")}),
                   2, "holds features of " + net + " (fnv1a64:");
}

TEST(FeatureMetricsCli, BadBackbonesAndInputsAreNamed) {
  if (!have_torch()) GTEST_SKIP() << "python3-torch not installed (scripts/install-deps.sh --test installs it)";
  const Inputs& in = inputs();
  const std::string left = in.p("left.npy"), right = in.p("right.npy");
  test::write_bytes(in.dir / "notes.pt", "not a network\n");
  expect_cli_error(run({gan_eval(), "fid", left, right, "--backbone", in.p("notes.pt")}), 2,
                   "notes.pt is not a TorchScript module");
  // Modules with a wrong output, no input_size, NaN features (made by Inputs).
  expect_cli_error(run({gan_eval(), "fid", left, right, "--backbone", in.p("4d.pt"), flags("--batch 4")}), 2,
                   "returned a tensor of shape [4, 3, 16, 16] for 4 images: a backbone returns (N, D) features");
  expect_cli_error(run({gan_eval(), "fid", left, right, "--backbone", in.p("nosize.pt")}), 1,
                   "has no integer attribute input_size: pass --backbone-size S");
  ASSERT_EQ(
      run({gan_eval(), "fid", left, right, "--backbone", in.p("nosize.pt"), flags("--backbone-size 8 -q")}).exit_code,
      0);
  expect_cli_error(run({gan_eval(), "prdc", left, right, "--backbone", in.p("nan.pt")}), 2,
                   "real: feature 0 of image 0 is nan");
  const std::string net = in.p("tiny.pt");
  expect_cli_error(run({gan_eval(), "prdc", left, right, "--backbone", net, flags("--k-dc 10")}), 1,
                   "--k-dc 10 needs at least 11 images in each set (a point's k-th neighbour within its own set), "
                   "but the real set has 10: pass --k-dc 9 or fewer");
  expect_cli_error(run({gan_eval(), "kid", left, right, "--backbone", net}), 1,
                   "KID subsets of 1000 need at least 1000 images in each set, but the real set has 10: pass "
                   "--subset-size 10 or fewer");
  expect_cli_error(run({gan_eval(), "fid", left, right}), 1, "holds images: give --backbone FILE.pt or d:RUN");
  expect_cli_error(run({gan_eval(), "fid", in.p("nothing.npy"), right}), 2, in.p("nothing.npy") + " does not exist");
  expect_cli_error(run({gan_eval(), "fid", left, right, "--backbone", net, flags("--resize bicubic")}), 1,
                   "--resize bicubic: use clean, legacy-pytorch or legacy-tf");
  expect_cli_error(run({gan_eval(), "stats", left, "--backbone", net, "--out", left}), 2, "exists");
}

TEST(FeatureMetricsCli, DiscriminatorBackboneMatchesGanEvalFeatures) {
  test::TempDir dir;
  auto p = [&](const std::string& n) { return (dir / n).string(); };
  test::write_pyramid(dir / "real.h5", 40, 1, 32);
  auto r = run({test::gan_train(), "--data", p("real.h5"), "--out", p("run"),
                flags("--ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 --steps 4 -q")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run({gan_eval(), "stats", p("real.h5"), "--backbone", fmt::format("d:{}", p("run")), "--out", p("s.h5"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run({gan_eval(), "features", p("run"), p("real.h5"), p("f.h5"), flags("--bn-stats checkpoint -q")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FeatureReader ours(p("s.h5")), theirs(p("f.h5"));
  ASSERT_EQ(ours.dim(), theirs.dim());
  std::vector<float> a(static_cast<size_t>(40 * ours.dim())), b(a.size());
  ours.read_rows("images", 0, 40, a.data());
  theirs.read_rows(theirs.splits()[0].name, 0, 40, b.data());
  for (size_t k = 0; k < a.size(); ++k) ASSERT_NEAR(a[k], b[k], 1e-5 * (1 + std::abs(b[k]))) << k;
  // A grey discriminator refuses RGB images.
  test::write_pyramid(dir / "rgb.h5", 10, 3, 32);
  expect_cli_error(run({gan_eval(), "fid", p("rgb.h5"), p("real.h5"), "--backbone", fmt::format("d:{}", p("run"))}), 2,
                   "real holds 3-channel images but the discriminator of d:" + p("run") + " takes 1-channel ones");
}

}  // namespace
}  // namespace gankit
