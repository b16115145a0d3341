// Dedup thumbnails (datasets/thumbnails.h).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "fixtures.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "test_util.h"
#include "thumbnails.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;

TEST(Thumbnail, CentreCropBlurResizeAndGrayToRgb) {
  // 32x32 RGB, HWC -> CHW. The blur is symmetric, so it leaves a linear ramp unchanged away
  // from the border.
  cv::Mat rgb(32, 32, CV_8UC3);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) rgb.at<cv::Vec3b>(y, x) = {uint8_t(x), uint8_t(y), uint8_t(x + y)};
  std::vector<uint8_t> t(kThumbnailBytes);
  make_thumbnail(rgb, t.data());
  EXPECT_EQ(t[0 * 1024 + 5 * 32 + 7], 7);
  EXPECT_EQ(t[1 * 1024 + 5 * 32 + 7], 5);
  EXPECT_EQ(t[2 * 1024 + 5 * 32 + 7], 12);
  // 96x64 gray with a bright 64x64 centre and dark side bands: the crop keeps only the centre
  // (no dark band bleeds into the thumbnail's left or right column); one dark pixel in the
  // top-left corner darkens only the thumbnail's top-left corner; gray fills all three channels.
  cv::Mat gray(64, 96, CV_8UC1, cv::Scalar(0));
  gray(cv::Rect(16, 0, 64, 64)).setTo(200);
  gray.at<uint8_t>(0, 16) = 0;
  make_thumbnail(gray, t.data());
  for (int c = 0; c < 3; ++c) {
    SCOPED_TRACE(c);
    EXPECT_GT(t[c * 1024 + 0], 120);
    EXPECT_LT(t[c * 1024 + 0], 200);
    for (int i = 0; i < 32; ++i) {
      EXPECT_EQ(t[c * 1024 + i * 32 + 31], 200);  // right column
      EXPECT_EQ(t[c * 1024 + 31 * 32 + i], 200);  // bottom row
      if (i >= 3) {
        EXPECT_EQ(t[c * 1024 + i * 32], 200);  // left column below the corner
      }
    }
  }
  // Any constant image, at any size, gives that constant.
  for (int side : {7, 28, 32, 45, 64, 200}) {
    make_thumbnail(cv::Mat(side, side, CV_8UC3, cv::Scalar(9, 99, 199)), t.data());
    EXPECT_EQ(t[0], 9);
    EXPECT_EQ(t[1024 + 500], 99);
    EXPECT_EQ(t[3071], 199);
  }
  // The words recorded in models and groups files follow the constants.
  EXPECT_EQ(thumbnail_description(),
            "32x32 RGB centre crop: box means to 64, Gaussian sigma 0.7 thumbnail px, bicubic");
}

double mean_abs_diff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::abs(int(a[i]) - int(b[i]));
  return s / static_cast<double>(a.size());
}

TEST(Thumbnail, ResizedCopiesLandNearTheirOriginal) {
  // The case the low-pass is for: a small real image (a 28x28 area reduction of a 112x112
  // patch of scikit-image's astronaut, about Fashion-MNIST's scale) and its copies resized by
  // 0.75 and 1.5 (bicubic). Measured mean |difference| of the thumbnails: 2.39 and 0.78 levels;
  // with bare 32x32 resizing (no blur) 4.13 and 2.45; a neighbouring patch (distinct): 69.1.
  const fs::path photo = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png";
  if (!fs::exists(photo)) GTEST_SKIP() << "python3-skimage (test photos) not installed";
  const cv::Mat astronaut = cv::imread(photo.string());
  ASSERT_FALSE(astronaut.empty());
  auto patch = [&](int x, int y) {
    cv::Mat small;
    cv::resize(astronaut(cv::Rect(x, y, 112, 112)), small, cv::Size(28, 28), 0, 0, cv::INTER_AREA);
    return small;
  };
  auto thumb = [](const cv::Mat& m) {
    std::vector<uint8_t> t(kThumbnailBytes);
    make_thumbnail(m, t.data());
    return t;
  };
  const cv::Mat original = patch(180, 60);
  const std::vector<uint8_t> t0 = thumb(original);
  cv::Mat down, up;
  cv::resize(original, down, cv::Size(21, 21), 0, 0, cv::INTER_CUBIC);
  cv::resize(original, up, cv::Size(42, 42), 0, 0, cv::INTER_CUBIC);
  const double d_down = mean_abs_diff(t0, thumb(down)), d_up = mean_abs_diff(t0, thumb(up));
  // The same without the low-pass: bare bicubic / area resizing to 32 x 32.
  auto bare = [](const cv::Mat& m) {
    cv::Mat r;
    cv::resize(m, r, cv::Size(32, 32), 0, 0, m.cols > 32 ? cv::INTER_AREA : cv::INTER_CUBIC);
    return std::vector<uint8_t>(r.datastart, r.dataend);  // HWC; the same layout on both sides
  };
  const double bare_down = mean_abs_diff(bare(original), bare(down)), bare_up = mean_abs_diff(bare(original), bare(up));
  const double d_other = mean_abs_diff(t0, thumb(patch(180 + 56, 60)));
  EXPECT_LT(d_down, 3.0);
  EXPECT_LT(d_down, 0.75 * bare_down) << bare_down;
  EXPECT_LT(d_up, 1.2);
  EXPECT_LT(d_up, 0.5 * bare_up) << bare_up;
  EXPECT_GT(d_other, 20.0);
}

TEST(Thumbnail, PyramidReadsLevel64AndSampleIsDeterministic) {
  test::TempDir dir;
  const fs::path h5 = dir / "p.h5";
  test::write_pyramid(h5, 1500, 3, 128);
  ThumbnailReader reader(h5, {});
  EXPECT_EQ(reader.format(), "h5");
  ThumbnailBatch batch;
  ASSERT_TRUE(reader.next(batch, 10));
  PyramidReader p(h5);
  // The thumbnail of a pyramid image is that of its 64x64 level (the same box means a folder
  // image gets), and equals the thumbnail of its full-size level to rounding.
  const ImageBatch level64 = p.read(64, 0, 10), level128 = p.read(128, 0, 10);
  auto thumb = [](const ImageBatch& b, int64_t i) {
    std::vector<uint8_t> t(kThumbnailBytes);
    make_thumbnail(chw_to_mat(b.image(i), b.c, b.h, b.w), t.data());
    return t;
  };
  ASSERT_EQ(batch.size(), 10u);
  for (int64_t i = 0; i < 10; ++i) {
    const std::vector<uint8_t> t = thumb(level64, i);
    EXPECT_TRUE(std::equal(t.begin(), t.end(), batch.pixels.begin() + i * kThumbnailBytes)) << i;
    EXPECT_LE(mean_abs_diff(t, thumb(level128, i)), 1.0) << i;
  }
  EXPECT_EQ(batch.names[3], h5.string() + "#3");
  // Random access returns the same thumbnails as the sequential read.
  const std::vector<int64_t> idx = {7, 2};
  const std::vector<uint8_t> at = reader.read_at(idx);
  EXPECT_TRUE(std::equal(at.begin(), at.begin() + kThumbnailBytes, batch.pixels.begin() + 7 * kThumbnailBytes));
  EXPECT_TRUE(std::equal(at.begin() + kThumbnailBytes, at.end(), batch.pixels.begin() + 2 * kThumbnailBytes));
  // The sample: a function of the seed; all images (in order) when n >= count.
  ThumbnailReader r1(h5, {}), r2(h5, {}), r3(h5, {});
  EXPECT_EQ(sample_thumbnails(r1, 100, 5, {true}), sample_thumbnails(r2, 100, 5, {true}));
  EXPECT_NE(sample_thumbnails(r1, 100, 5, {true}), sample_thumbnails(r3, 100, 6, {true}));
  const std::vector<uint8_t> all = sample_thumbnails(r1, 5000, 5, {true});
  EXPECT_EQ(all.size(), 1500u * kThumbnailBytes);
  EXPECT_TRUE(std::equal(all.begin(), all.begin() + 10 * kThumbnailBytes, batch.pixels.begin()));
}

TEST(Thumbnail, ReservoirSampleOfAFolderIsAUniformDeterministicSubset) {
  test::TempDir dir;
  fs::create_directories(dir / "imgs");
  for (int i = 0; i < 40; ++i) {
    cv::Mat m(32, 32, CV_8UC3, cv::Scalar(i, 2 * i, 3 * i));
    cv::imwrite((dir / "imgs" / fmt::format("{:03d}.png", i)).string(), m);
  }
  auto values = [&](uint64_t seed, int64_t n) {
    ThumbnailReader r(dir / "imgs", {});
    const std::vector<uint8_t> s = sample_thumbnails(r, n, seed, {true});
    std::vector<int> v;
    for (size_t i = 0; i < s.size(); i += kThumbnailBytes) v.push_back(s[i + 2 * 1024]);  // blue channel = i
    return v;
  };
  const std::vector<int> a = values(1, 10);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));             // dataset order
  EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());  // no repeats
  EXPECT_EQ(values(1, 10), a);
  EXPECT_NE(values(2, 10), a);
  std::vector<int> everything(40);
  std::iota(everything.begin(), everything.end(), 0);
  EXPECT_EQ(values(1, 40), everything);
}

}  // namespace
}  // namespace gankit
