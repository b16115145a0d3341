// The backbone resizers against the libraries they reproduce, on a real photo: PIL's float
// bicubic (clean-fid), torch.nn.functional.interpolate (pytorch-fid), and a numpy port of TF1's
// resize_bilinear (bench/reference_feature_metrics.py resize). Values are on the 0..255 scale.
#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "error.h"
#include "image_io.h"
#include "npy.h"
#include "resize.h"
#include "test_util.h"

namespace gankit {
namespace {

namespace fs = std::filesystem;

// Crops of scikit-image's astronaut photo at `side` (downscaled with OpenCV's area filter first
// when `side` is small, so the crop holds a whole face rather than a few pixels).
ImageBatch photo_batch(int side, int channels) {
  cv::Mat photo = read_image("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
  if (channels == 1) cv::cvtColor(photo, photo, cv::COLOR_RGB2GRAY);
  ImageBatch b(3, channels, side, side);
  const int views[3] = {512, 256, 128};
  for (int i = 0; i < 3; ++i) {
    cv::Mat crop = photo(cv::Rect(0, 0, views[i], views[i])).clone(), small;
    cv::resize(crop, small, cv::Size(side, side), 0, 0, cv::INTER_AREA);
    mat_to_chw(small, b.image(i));
  }
  return b;
}

// Max |ours - reference| over the batch.
double max_difference(const ImageBatch& b, int size, const std::string& mode) {
  test::TempDir dir;
  save_npy_nhwc(dir / "in.npy", b);
  const auto r = test::run({"/usr/bin/python3", fmt::format("{}/bench/reference_feature_metrics.py", GANKIT_SOURCE_DIR),
                            "resize", dir / "in.npy", dir / "out.npy", "--mode", mode, "--size", size});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<float> ours(static_cast<size_t>(b.n) * 3 * size * size);
  resize_for_backbone(b, 0, b.n, size, parse_resize_mode(mode), ours.data());
  const std::string bytes = test::read_bytes(dir / "out.npy");
  const size_t header = bytes.size() - static_cast<size_t>(b.n) * b.c * size * size * 4;
  const float* ref = reinterpret_cast<const float*>(bytes.data() + header);
  double worst = 0;
  const size_t plane = static_cast<size_t>(size) * size;
  for (int64_t i = 0; i < b.n; ++i)
    for (int c = 0; c < 3; ++c)
      for (size_t k = 0; k < plane; ++k) {
        const float theirs = ref[(static_cast<size_t>(i) * b.c + (b.c == 1 ? 0 : c)) * plane + k];
        worst = std::max(worst, std::abs(double(ours[(static_cast<size_t>(i) * 3 + c) * plane + k]) - theirs));
      }
  return worst;
}

TEST(Resize, MatchesPilTorchAndTf1OnPhotos) {
  if (test::run({"/usr/bin/python3", "-c", "import torch"}).exit_code != 0)
    GTEST_SKIP() << "python3-torch not installed (scripts/install-deps.sh --test installs it)";
  struct Case {
    int side, channels, size;
  };
  // Down (512 -> 299, the antialiased path), up (32 and 28 -> 299: CIFAR, Fashion-MNIST), and
  // an odd factor (100 -> 64).
  for (const Case& c : {Case{512, 3, 299}, Case{32, 3, 299}, Case{28, 1, 299}, Case{100, 3, 64}})
    for (const char* mode : {"clean", "legacy-pytorch", "legacy-tf"}) {
      const double d = max_difference(photo_batch(c.side, c.channels), c.size, mode);
      EXPECT_LE(d, 1e-4) << mode << " " << c.side << " -> " << c.size << " (" << c.channels << " channels)";
    }
}

TEST(Resize, ModesDifferAndSameSizeCopies) {
  const ImageBatch b = photo_batch(64, 3);
  std::vector<float> clean(3 * 3 * 299 * 299), tf(clean.size()), same(3 * 3 * 64 * 64);
  resize_for_backbone(b, 0, 3, 299, ResizeMode::Clean, clean.data());
  resize_for_backbone(b, 0, 3, 299, ResizeMode::LegacyTf, tf.data());
  double diff = 0;
  for (size_t k = 0; k < clean.size(); ++k) diff = std::max(diff, double(std::abs(clean[k] - tf[k])));
  EXPECT_GT(diff, 5.0);  // the resizer is not a detail
  for (auto mode : {ResizeMode::Clean, ResizeMode::LegacyPytorch, ResizeMode::LegacyTf}) {
    resize_for_backbone(b, 0, 3, 64, mode, same.data());
    for (size_t k = 0; k < same.size(); ++k) ASSERT_EQ(same[k], b.data[k]) << to_string(mode);
  }
  try {
    parse_resize_mode("bicubic");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "resize mode 'bicubic': use clean, legacy-pytorch or legacy-tf");
  }
}
}  // namespace
}  // namespace gankit
