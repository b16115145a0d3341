// gan-eval end to end: SWD and MS-SSIM from folders, .npy and HDF5 give the spec's golden values,
// --json has the documented form, and bad inputs fail with one clear line.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "golden_images.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "npy.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::flags;
using test::gan_eval;
using test::run;
using test::TempDir;

// The golden sets at size 64 as a PNG folder, an NHWC .npy and an HDF5 pyramid.
struct GoldenFiles {
  TempDir dir;
  GoldenFiles() {
    for (const char* name : {"real", "fake"}) {
      const ImageBatch b = std::string(name) == "real" ? test::golden_real(64, 64) : test::golden_fake(64, 64);
      fs::create_directories(dir / name);
      PyramidWriter w(dir / (std::string(name) + ".h5"), 64, 3, {});
      for (int64_t i = 0; i < b.n; ++i) {
        write_image(dir / name / fmt::format("{:03}.png", i), chw_to_mat(b.image(i), 3, 64, 64));
        w.append(b.image(i));
      }
      w.commit();
      save_npy_nhwc(dir / (std::string(name) + ".npy"), b);
    }
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

TEST(GanEvalCli, SwdGoldenFromFolderNpyAndHdf5) {
  GoldenFiles g;
  std::vector<nlohmann::json> results;
  for (const auto& [real, fake] : std::vector<std::pair<std::string, std::string>>{
           {"real", "fake"}, {"real.npy", "fake.npy"}, {"real.h5", "fake.h5"}, {"real", "fake.h5"}}) {
    auto r = run({gan_eval(), "swd", g.path(real), g.path(fake), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    results.push_back(nlohmann::json::parse(r.out));
  }
  const auto& j = results[0];
  EXPECT_EQ(j["metric"], "swd");
  EXPECT_EQ(j["num_images"], 64);
  EXPECT_EQ(j["resolution"], 64);
  EXPECT_EQ(j["seed"], 1);
  EXPECT_EQ(j["swd"].size(), 4u);  // 64, 32, 16, avg
  const test::GoldenSwd& golden = test::kSwd64;
  for (const auto& [key, value] : {std::pair{"64", golden.levels[0]}, std::pair{"32", golden.levels[1]},
                                   std::pair{"16", golden.levels[2]}, std::pair{"avg", golden.avg}})
    EXPECT_NEAR(j["swd"][key].get<double>(), value, 1e-6 * value) << key;
  for (const auto& other : results) EXPECT_EQ(other["swd"], j["swd"]);  // lossless inputs: same bits
  // Seed, thread count, batch.
  auto seeded = run(
      {gan_eval(), "swd", g.path("real.npy"), g.path("fake.npy"), flags("--seed 1000 --json --threads 1 --batch 5")});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
  EXPECT_NEAR(nlohmann::json::parse(seeded.out)["swd"]["avg"].get<double>(), test::kSwd64Seed1000.avg,
              1e-6 * test::kSwd64Seed1000.avg);
  auto seeded_default = run({gan_eval(), "swd", g.path("real.npy"), g.path("fake.npy"), flags("--seed 1000 --json")});
  EXPECT_EQ(nlohmann::json::parse(seeded_default.out)["swd"], nlohmann::json::parse(seeded.out)["swd"]);  // bitwise
  auto t1 = run({gan_eval(), "swd", g.path("real.npy"), g.path("fake.npy"), flags("--json --threads 1")});
  EXPECT_EQ(nlohmann::json::parse(t1.out)["swd"], j["swd"]);
  // A table for people.
  auto table = run({gan_eval(), "swd", g.path("real.h5"), g.path("fake.h5"), "-q"});
  EXPECT_NE(table.out.find("avg"), std::string::npos);
  EXPECT_NE(table.out.find("173.25"), std::string::npos);
  // A lower HDF5 level and --num-images.
  auto low =
      run({gan_eval(), "swd", g.path("real.h5"), g.path("fake.h5"), flags("--resolution 32 --num-images 10 --json")});
  ASSERT_EQ(low.exit_code, 0) << low.err;
  auto lj = nlohmann::json::parse(low.out);
  EXPECT_EQ(lj["resolution"], 32);
  EXPECT_EQ(lj["num_images"], 10);
  EXPECT_EQ(lj["swd"].size(), 3u);
}

TEST(GanEvalCli, MsssimGoldenAlignedAndDiversity) {
  GoldenFiles g;
  auto aligned = run({gan_eval(), "msssim", g.path("real"), g.path("fake.npy"), "--json"});
  ASSERT_EQ(aligned.exit_code, 0) << aligned.err;
  auto aj = nlohmann::json::parse(aligned.out);
  EXPECT_EQ(aj["metric"], "msssim");
  EXPECT_EQ(aj["pairs"], 64);
  EXPECT_NEAR(aj["msssim"].get<double>(), test::kMsssimAligned64, 1e-6);
  auto within = run({gan_eval(), "msssim", g.path("real.h5"), "--json"});
  ASSERT_EQ(within.exit_code, 0) << within.err;
  auto wj = nlohmann::json::parse(within.out);
  EXPECT_EQ(wj["pairs"], 32);
  EXPECT_NEAR(wj["msssim"].get<double>(), test::kMsssimWithin64, 1e-6);
  // --resolution reads another level of the pyramid: another value (the option is not ignored).
  auto level16 = run({gan_eval(), "msssim", g.path("real.h5"), flags("--resolution 16 --json")});
  ASSERT_EQ(level16.exit_code, 0) << level16.err;
  EXPECT_GT(std::abs(nlohmann::json::parse(level16.out)["msssim"].get<double>() - test::kMsssimWithin64), 1e-3);
  auto few = run({gan_eval(), "msssim", g.path("real.npy"), flags("--num-pairs 3 --shuffle --seed 4 --json")});
  ASSERT_EQ(few.exit_code, 0) << few.err;
  EXPECT_EQ(nlohmann::json::parse(few.out)["pairs"], 3);
  test::expect_cli_error(run({gan_eval(), "msssim", g.path("real.npy"), flags("--num-pairs 33")}), 2,
                         "33 pairs need 66");
  test::expect_cli_error(run({gan_eval(), "msssim", g.path("real"), g.path("fake"), "--shuffle"}), 1,
                         "--shuffle applies to one set");
}

// Exit code 3 (internal): a gan-eval copied without its LibTorch module says which file is missing,
// in one line, and writes nothing.
TEST(GanEvalCli, AMissingTorchModuleIsAnInternalErrorOfOneLine) {
  TempDir dir;
  fs::copy_file(gan_eval(), dir / "gan-eval");
  fs::permissions(dir / "gan-eval", fs::perms::owner_all);
  PyramidWriter w(dir / "d.h5", 16, 1, {});
  w.append(test::golden_real(1, 16).image(0));
  w.commit();
  test::expect_cli_error(run({dir / "gan-eval", "features", dir / "d.h5", dir / "f.h5", flags("--raw-pixels -q")}), 3,
                         "cannot load the LibTorch module libgankit_eval_torch.so");
  EXPECT_FALSE(fs::exists(dir / "f.h5"));
}

TEST(GanEvalCli, BadInputsGiveOneLineAndTheRightExitCode) {
  TempDir dir;
  auto save = [&](const std::string& name, const ImageBatch& b) {
    save_npy_nhwc(dir / name, b);
    return (dir / name).string();
  };
  const std::string a64 = save("a64.npy", test::golden_real(8, 32));
  const std::string b65 = save("b.npy", test::golden_real(9, 32));
  const std::string c16 = save("c.npy", test::golden_real(8, 16));
  const std::string tiny = save("t.npy", test::golden_real(8, 8));
  test::expect_cli_error(run({gan_eval(), "swd", a64, b65}), 2, "has 8 images but");
  test::expect_cli_error(run({gan_eval(), "swd", a64, b65, flags("--num-images 9")}), 2, "fewer than --num-images 9");
  test::expect_cli_error(run({gan_eval(), "swd", a64, c16}), 2, "holds 32x32 images but");
  test::expect_cli_error(run({gan_eval(), "swd", tiny, tiny}), 2, "at least 16x16");
  test::expect_cli_error(run({gan_eval(), "msssim", tiny}), 2, "at least 16x16");
  fs::create_directories(dir / "empty");
  test::expect_cli_error(run({gan_eval(), "swd", dir / "empty", a64}), 2, "contains no images");
  fs::create_directories(dir / "bad");
  write_image(dir / "bad" / "a.png", chw_to_mat(test::golden_real(1, 32).image(0), 3, 32, 32));
  test::write_bytes(dir / "bad" / "b.png", "not a png");
  test::expect_cli_error(run({gan_eval(), "swd", dir / "bad", dir / "bad"}), 2, "b.png");
  PyramidWriter w(dir / "a.h5", 32, 3, {});
  w.append(test::golden_real(1, 32).image(0));
  w.commit();
  test::expect_cli_error(run({gan_eval(), "swd", dir / "a.h5", dir / "a.h5", flags("--resolution 64")}), 2,
                         "has no 64x64 level (levels: 32, 16, 8, 4, 2, 1)");
  test::expect_cli_error(run({gan_eval(), "swd", dir / "missing.npy", a64}), 2, "does not exist");
  // --device cuda: one line naming the way out without a GPU; with one, the CPU's numbers to 1e-5.
  const auto gpu = run({gan_eval(), "swd", a64, a64, flags("--device cuda --json -q")});
  if (gpu.exit_code != 0) {
    test::expect_cli_error(gpu, 1, "use --device cpu");
  } else {
    const auto cpu = nlohmann::json::parse(run({gan_eval(), "swd", a64, a64, flags("--json -q")}).out)["swd"];
    for (const auto& [level, value] : cpu.items())
      EXPECT_NEAR(nlohmann::json::parse(gpu.out)["swd"][level].get<double>(), value.get<double>(),
                  1e-5 * value.get<double>())
          << level;
  }
  test::expect_cli_error(run({gan_eval(), "swd", a64, a64, flags("--device tpu")}), 1, "expected cpu, cuda or cuda:N");
  test::expect_cli_error(run({gan_eval(), "swd", a64, a64, flags("--rng mt")}), 1, "--rng mt");
  test::expect_cli_error(run({gan_eval(), "swd", a64}), 1, "the option '--fake' is required");
  EXPECT_EQ(run({gan_eval(), flags("swd --help")}).exit_code, 0);
}

}  // namespace
}  // namespace gankit
