// The LibTorch SWD backend: on the CPU device it must give the spec's golden values and agree
// with the OpenBLAS path; on CUDA (only where a GPU and a CUDA LibTorch are present) the same.
#include <gtest/gtest.h>

#include "error.h"
#include "golden_images.h"
#include "swd.h"
#include "swd_torch.h"
#include "test_util.h"

namespace gankit {
namespace {

SwdOptions quiet(uint32_t seed) {
  SwdOptions o;
  o.seed = seed;
  o.progress.quiet = true;
  return o;
}

SwdResult on(const std::string& device, const ImageBatch& a, const ImageBatch& b, SwdOptions o) {
  auto ra = image_set_view(a), rb = image_set_view(b);
  return sliced_wasserstein_torch(*ra, *rb, o, device);
}

void expect_close(const SwdResult& r, const std::vector<double>& levels, double avg, double rel) {
  ASSERT_EQ(r.swd.size(), levels.size());
  for (size_t i = 0; i < levels.size(); ++i) EXPECT_NEAR(r.swd[i], levels[i], rel * levels[i]) << "level " << i;
  EXPECT_NEAR(r.average, avg, rel * avg);
}

TEST(SwdTorch, CpuDeviceGivesTheGoldenValues) {
  auto real = test::golden_real(64, 64), fake = test::golden_fake(64, 64);
  expect_close(on("cpu", real, fake, quiet(1)), test::kSwd64.levels, test::kSwd64.avg, 2e-4);
  expect_close(on("cpu", real, real, quiet(1)), test::kSwd64RealVsReal.levels, test::kSwd64RealVsReal.avg, 2e-4);
  auto r128 = test::golden_real(64, 128), f128 = test::golden_fake(64, 128);
  expect_close(on("cpu", r128, f128, quiet(1000)), test::kSwd128Seed1000.levels, test::kSwd128Seed1000.avg, 2e-4);
}

TEST(SwdTorch, AgreesWithTheOpenBlasPathAndIgnoresBatch) {
  auto real = test::golden_real(24, 32), fake = test::golden_fake(24, 32);
  SwdOptions o = quiet(9);
  const SwdResult cpu = sliced_wasserstein(real, fake, o);
  o.batch = 5;
  const SwdResult torch_cpu = on("cpu", real, fake, o);
  expect_close(torch_cpu, cpu.swd, cpu.average, 1e-5);
}

TEST(SwdTorch, DeviceNamesAndAbsentCuda) {
  EXPECT_TRUE(swd_device_available("cpu"));
  EXPECT_THROW(swd_device_available("tpu"), Error);
  auto a = test::golden_real(4, 16);
  if (!swd_device_available("cuda")) {
    try {
      on("cuda", a, a, quiet(1));
      FAIL() << "cuda without a GPU must fail";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_NE(test::cli_message(e).find("use --device cpu"), std::string::npos) << e.what();
    }
  }
}

TEST(SwdTorch, CudaGivesTheGoldenValues) {
  if (!swd_device_available("cuda")) GTEST_SKIP() << "no CUDA device or no CUDA LibTorch in this build";
  auto real = test::golden_real(64, 128), fake = test::golden_fake(64, 128);
  expect_close(on("cuda", real, fake, quiet(1)), test::kSwd128.levels, test::kSwd128.avg, 2e-4);
}

}  // namespace
}  // namespace gankit
