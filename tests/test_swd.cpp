// SWD (eval/swd.h): the golden values of docs/metrics.md ("Golden values"), exact cases, and
// batch/thread invariance. Its pieces have their own files: test_numpy_rng, test_laplacian,
// test_wasserstein_1d.
#include <gtest/gtest.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>

#include "error.h"
#include "golden_images.h"
#include "image_io.h"
#include "image_set.h"
#include "swd.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;

constexpr double kGoldenRelative = 1e-6;

SwdOptions quiet(uint32_t seed) {
  SwdOptions o;
  o.seed = seed;
  o.progress.quiet = true;
  return o;
}

void expect_golden(const SwdResult& r, const test::GoldenSwd& golden) {
  const std::vector<double>& levels = golden.levels;
  const double avg = golden.avg;
  ASSERT_EQ(r.swd.size(), levels.size());
  // Ours agree with the golden values to at most 4.0e-7 relative (2.2e-5 absolute) over the six
  // cases, about the 5-decimal rounding of the printed values; allow 1e-6 relative.
  for (size_t i = 0; i < levels.size(); ++i)
    EXPECT_NEAR(r.swd[i], levels[i], kGoldenRelative * levels[i]) << "level " << i;
  EXPECT_NEAR(r.average, avg, kGoldenRelative * avg);
}

TEST(SwdGolden, Size64RealVsFake) {
  auto real = test::golden_real(64, 64), fake = test::golden_fake(64, 64);
  auto r = sliced_wasserstein(real, fake, quiet(1));
  EXPECT_EQ(r.resolutions, (std::vector<int>{64, 32, 16}));
  expect_golden(r, test::kSwd64);
  expect_golden(sliced_wasserstein(real, fake, quiet(1000)), test::kSwd64Seed1000);
}

TEST(SwdGolden, Size64RealVsRealIsTheNoiseFloorNotZero) {
  auto real = test::golden_real(64, 64);
  expect_golden(sliced_wasserstein(real, real, quiet(1)), test::kSwd64RealVsReal);
}

TEST(SwdGolden, Size128) {
  auto real = test::golden_real(64, 128), fake = test::golden_fake(64, 128);
  auto r = sliced_wasserstein(real, fake, quiet(1));
  EXPECT_EQ(r.resolutions, (std::vector<int>{128, 64, 32, 16}));
  expect_golden(r, test::kSwd128);
  expect_golden(sliced_wasserstein(real, fake, quiet(1000)), test::kSwd128Seed1000);
  expect_golden(sliced_wasserstein(real, real, quiet(1)), test::kSwd128RealVsReal);
}

TEST(Swd, ConstantSetsHaveIdenticalDescriptorsAndGiveZero) {
  ImageBatch a(8, 3, 32, 32), b(8, 3, 32, 32);
  std::fill(a.data.begin(), a.data.end(), 17);
  std::fill(b.data.begin(), b.data.end(), 200);  // normalisation removes each set's own mean
  auto r = sliced_wasserstein(a, b, quiet(5));
  for (double v : r.swd) EXPECT_EQ(v, 0.0);
}

// Several descriptor blocks (300 images: 2 to 43 blocks per level by --batch) and 1, 2, 3 threads
// give the same bits: blocks and threads change where work happens, never the sums' order.
TEST(Swd, BitIdenticalAcrossBlocksAndThreadsOnSeveralBlocks) {
  auto real = test::golden_real(300, 64), fake = test::golden_fake(300, 64);
  const int threads = omp_get_max_threads();
  std::vector<double> first;
  for (int batch : {256, 64, 7}) {
    for (int t : {1, 2, 3}) {
      omp_set_num_threads(t);
      SwdOptions o = quiet(9);
      o.batch = batch;
      const SwdResult r = sliced_wasserstein(real, fake, o);
      if (first.empty()) first = r.swd;
      EXPECT_EQ(r.swd, first) << "batch " << batch << ", " << t << " threads";
    }
  }
  omp_set_num_threads(threads);
  EXPECT_EQ(first.size(), 3u);
}

TEST(Swd, IndependentOfBatchAndThreadCount) {
  auto real = test::golden_real(20, 32), fake = test::golden_fake(20, 32);
  SwdOptions o = quiet(3);
  const SwdResult base = sliced_wasserstein(real, fake, o);
  o.batch = 3;
  EXPECT_EQ(sliced_wasserstein(real, fake, o).swd, base.swd);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const SwdResult one = sliced_wasserstein(real, fake, o);
  omp_set_num_threads(threads);
  EXPECT_EQ(one.swd, base.swd);
  EXPECT_GT(base.average, 0.0);
}

// Levels after the first start from G(1) kept in a temporary file; without a temp folder, or
// without room in it, they start from the images again. All give the same bits, and so does a
// folder decoded as it is read.
TEST(Swd, SameBitsWithoutATempFolderOrRoomInItAndFromAFolderDecodedAsItIsRead) {
  auto real = test::golden_real(40, 64), fake = test::golden_fake(40, 64);
  SwdOptions o = quiet(4);
  o.batch = 16;  // several blocks: reads in turn and ahead
  const SwdResult cached = sliced_wasserstein(real, fake, o);
  {
    test::TempDir dir;
    const test::ScopedEnv env("TMPDIR", (dir / "missing").string());
    EXPECT_EQ(sliced_wasserstein(real, fake, o).swd, cached.swd);
  }
  {
    // No room for the cache (a 16 KiB file size limit stands in for a full temp disk): one note,
    // and the coarser levels read the images again.
    rlimit old{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    rlimit small = old;
    small.rlim_cur = 16 << 10;
    const auto handler = std::signal(SIGXFSZ, SIG_IGN);
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    testing::internal::CaptureStderr();
    const SwdResult full_disk = sliced_wasserstein(real, fake, o);
    const std::string note = testing::internal::GetCapturedStderr();
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, handler);
    EXPECT_EQ(full_disk.swd, cached.swd);
    EXPECT_NE(note.find("swd: cannot keep the level-1 images of the sets in a temporary file"), std::string::npos)
        << note;
    EXPECT_NE(note.find("the coarser levels read the images again"), std::string::npos) << note;
  }
  test::TempDir dir;
  for (auto [name, batch] : {std::pair{"real", &real}, std::pair{"fake", &fake}}) {
    fs::create_directories(dir / name);
    for (int64_t i = 0; i < batch->n; ++i)
      write_image(dir / name / fmt::format("{:02}.png", i), chw_to_mat(batch->image(i), 3, batch->h, batch->w));
  }
  ImageSetOptions load;
  load.progress.quiet = true;
  load.single_pass = true;
  load.spill_limit = 1 << 10;
  auto real_set = open_image_set(dir / "real", load), fake_set = open_image_set(dir / "fake", load);
  ASSERT_TRUE(real_set->decodes_on_read());
  EXPECT_EQ(sliced_wasserstein(*real_set, *fake_set, o).swd, cached.swd);
}

TEST(Swd, RejectsMismatchedOrTooSmallSets) {
  auto a = test::golden_real(4, 32), b = test::golden_real(5, 32), c = test::golden_real(4, 16),
       d = test::golden_real(4, 8);
  auto msg = [](const ImageBatch& x, const ImageBatch& y) {
    try {
      sliced_wasserstein(x, y, quiet(1));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg(a, b).find("different counts: 4 real vs 5 fake"), std::string::npos);
  EXPECT_NE(msg(a, c).find("different sizes"), std::string::npos);
  EXPECT_NE(msg(d, d).find("at least 16x16"), std::string::npos);
  EXPECT_EQ(sliced_wasserstein(c, c, quiet(1)).resolutions, std::vector<int>{16});
}
}  // namespace
}  // namespace gankit
