// Image sets (lib/image_set.h): a folder, .npy, .npz and HDF5 give the same images; large inputs are
// streamed from unlinked temporaries and read by ranges.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "fixtures.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "image_set.h"
#include "npy.h"
#include "report.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::has_open_file_in;
using test::TempDir;
using test::TempDirAt;

TEST(ImageSet, FolderNpyAndHdf5GiveTheSameImages) {
  TempDir dir;
  ImageBatch b = test::random_batch(4, 3, 8, 8);
  fs::create_directories(dir / "png");
  PyramidWriter w(dir / "a.h5", 8, 3, {});
  for (int i = 0; i < 4; ++i) {
    write_image(dir / "png" / (std::to_string(i) + ".png"), chw_to_mat(b.image(i), 3, 8, 8));
    w.append(b.image(i));
  }
  w.commit();
  save_npy_nhwc(dir / "a.npy", b);
  ImageSetOptions opt;
  opt.progress.quiet = true;
  EXPECT_EQ(load_image_set(dir / "png", opt).data, b.data);
  EXPECT_EQ(load_image_set(dir / "a.npy", opt).data, b.data);
  EXPECT_EQ(load_image_set(dir / "a.h5", opt).data, b.data);
  opt.limit = 2;
  EXPECT_EQ(load_image_set(dir / "png", opt).n, 2);
  EXPECT_EQ(load_image_set(dir / "a.h5", opt).n, 2);
  opt.limit = -1;
  opt.resolution = 4;
  EXPECT_EQ(load_image_set(dir / "a.h5", opt).h, 4);
  EXPECT_NE(error_of([&] { load_image_set(dir / "a.npy", opt); }).find("not the requested 4x4"), std::string::npos);
}

TEST(ImageSet, StreamedNpyAndInMemorySetsReadTheSameRanges) {
  TempDir dir;
  ImageBatch gray = test::random_batch(7, 1, 6, 5);
  save_npy_nhwc(dir / "g.npy", gray);
  ImageSetOptions opt;
  opt.progress.quiet = true;
  opt.limit = 6;
  const ImageBatch all = load_image_set(dir / "g.npy", opt);  // tiled to RGB, first 6
  auto streamed = open_image_set(dir / "g.npy", opt);
  auto view = image_set_view(all);
  EXPECT_EQ(streamed->count(), 6);
  EXPECT_EQ(streamed->channels(), 3);
  ImageBatch a, b;
  for (auto [start, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 6}, {2, 3}, {5, 1}, {1, 2}}) {
    streamed->read(start, n, a);
    view->read(start, n, b);
    ASSERT_EQ(a.n, n);
    EXPECT_EQ(a.c, 3);
    EXPECT_EQ(a.data, b.data) << start;
    EXPECT_EQ(0, std::memcmp(a.image(0), all.image(start), all.image_bytes()));
  }
  // Channel 0 of the tiled image is the gray image itself.
  streamed->read(3, 1, a);
  EXPECT_EQ(0, std::memcmp(a.image(0), gray.image(3), gray.image_bytes()));
  opt.resolution = 8;
  EXPECT_NE(error_of([&] { open_image_set(dir / "g.npy", opt); }).find("not the requested 8x8"), std::string::npos);
}

// 700 noise PNGs of 64x64 decode to 8.6 MB, above a 4 MiB hold limit (64 MiB by default), with
// TMPDIR pointing into the test's folder; `all` is what the in-memory loader gives.
class LargeFolder : public ::testing::Test {
 protected:
  LargeFolder() {
    test::write_noise_folder(dir_ / "big", 700, 64);
    opt_.progress.quiet = true;
    opt_.spill_limit = 4 << 20;
    all_ = load_image_set(dir_ / "big", opt_);
  }
  // Each range read from `set` is, image for image, the in-memory loader's.
  void expect_same_ranges(ImageSet& set, const std::vector<std::pair<int64_t, int64_t>>& ranges) {
    ImageBatch a;
    for (auto [start, n] : ranges) {
      set.read(start, n, a);
      ASSERT_EQ(a.n, n);
      EXPECT_EQ(0, std::memcmp(a.image(0), all_.image(start), static_cast<size_t>(n) * all_.image_bytes())) << start;
    }
  }
  TempDir dir_;
  TempDirAt tmp_{dir_ / "tmp"};
  ImageSetOptions opt_;
  ImageBatch all_;
};

TEST_F(LargeFolder, IsStreamedFromAnUnlinkedFileWithTheSameImages) {
  // The set is decoded once into a temporary file that has no name (nothing is left in TMPDIR)
  // and read back by ranges.
  auto streamed = open_image_set(dir_ / "big", opt_);
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
  EXPECT_TRUE(has_open_file_in(dir_ / "tmp"));
  EXPECT_FALSE(streamed->decodes_on_read());
  ASSERT_EQ(streamed->count(), 700);
  expect_same_ranges(*streamed, {{0, 700}, {255, 3}, {699, 1}, {256, 256}});
  opt_.resolution = 32;
  EXPECT_NE(error_of([&] { open_image_set(dir_ / "big", opt_); }).find("not the requested 32x32"), std::string::npos);
  streamed.reset();
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

TEST_F(LargeFolder, SinglePassIsDecodedAsItIsReadWithNoTemporaryFile) {
  // For a caller that reads the set once (gan-eval swd), the folder is decoded range by range as
  // it is read: no temporary file at all, the same images, a range read twice is decoded twice;
  // a file that does not decode is named when its range is read.
  opt_.single_pass = true;
  auto decoded = open_image_set(dir_ / "big", opt_);
  EXPECT_TRUE(decoded->decodes_on_read());
  EXPECT_FALSE(has_open_file_in(dir_ / "tmp"));
  ASSERT_EQ(decoded->count(), 700);
  expect_same_ranges(*decoded, {{0, 256}, {256, 444}, {255, 3}, {0, 256}});
  // Small sets are still held in memory, single pass or not.
  opt_.spill_limit = int64_t(64) << 20;
  EXPECT_FALSE(open_image_set(dir_ / "big", opt_)->decodes_on_read());
  opt_.spill_limit = 4 << 20;
  const fs::path bad = dir_ / "big" / "0500.png";
  ASSERT_TRUE(fs::exists(bad));
  test::write_bytes(bad, "not a png");
  auto broken = open_image_set(dir_ / "big", opt_);
  ImageBatch a;
  broken->read(0, 256, a);  // the bad file is not in this range
  EXPECT_NE(error_of([&] { broken->read(256, 444, a); }).find("0500.png"), std::string::npos);
}

TEST(ImageSet, LargeNpzMemberIsStreamedFromAnUnlinkedFile) {
  // Above the spill limit (64 MiB by default, 1 KiB here) the member is inflated once into an
  // unlinked temporary file and streamed: the same images as load_npz, for a stored and a
  // deflated member, nothing left in TMPDIR; a corrupt member is named as before.
  TempDir dir;
  const TempDirAt tmp(dir / "tmp");
  const ImageBatch b = test::random_batch(20, 3, 16, 12);
  save_npy_nhwc(dir / "images.npy", b);
  const std::string npy = test::read_bytes(dir / "images.npy");
  for (bool deflate : {false, true}) {
    const fs::path npz = dir / (deflate ? "d.npz" : "s.npz");
    test::write_npz(npz, {{"images.npy", npy}}, deflate);
    ImageSetOptions opt;
    opt.progress.quiet = true;
    opt.spill_limit = 1024;
    const ImageBatch all = load_image_set(npz, opt);
    auto streamed = open_image_set(npz, opt);
    EXPECT_TRUE(has_open_file_in(dir / "tmp"));
    ASSERT_EQ(streamed->count(), 20);
    ImageBatch a;
    streamed->read(0, 20, a);
    EXPECT_EQ(a.data, all.data) << deflate;
    streamed->read(7, 3, a);
    EXPECT_EQ(0, std::memcmp(a.image(0), all.image(7), 3 * all.image_bytes()));
    opt.resolution = 8;
    EXPECT_NE(error_of([&] { open_image_set(npz, opt); }).find(npz.string() + ": images are"), std::string::npos);
  }
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
}

TEST(ImageSet, LargeHdf5LevelIsReadByRanges) {
  // Above the hold limit (1 GiB by default, 1 KiB here) a level is read by ranges: the same
  // images, grey tiled to RGB or not, with --num-images' limit and a level check.
  TempDir dir;
  test::write_pyramid(dir / "p.h5", 30, 1, 16);
  ImageSetOptions opt;
  opt.progress.quiet = true;
  opt.limit = 25;
  for (bool rgb : {true, false}) {
    opt.rgb = rgb;
    const ImageBatch all = load_image_set(dir / "p.h5", opt);
    opt.hdf5_hold_limit = 1024;
    auto streamed = open_image_set(dir / "p.h5", opt);
    opt.hdf5_hold_limit = int64_t(1) << 30;
    ASSERT_EQ(streamed->count(), 25);
    EXPECT_EQ(streamed->channels(), rgb ? 3 : 1);
    ImageBatch a;
    for (auto [start, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 25}, {3, 4}, {24, 1}}) {
      streamed->read(start, n, a);
      ASSERT_EQ(a.n, n);
      EXPECT_EQ(0, std::memcmp(a.image(0), all.image(start), static_cast<size_t>(n) * all.image_bytes())) << start;
    }
  }
  opt.hdf5_hold_limit = 1024;
  opt.resolution = 64;
  EXPECT_NE(error_of([&] { open_image_set(dir / "p.h5", opt); }).find("64"), std::string::npos);
}

TEST(ImageSet, GrayscaleIsTiledAndMixedSizesAreNamed) {
  TempDir dir;
  fs::create_directories(dir / "mixed");
  cv::imwrite((dir / "mixed" / "a.png").string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(9)));
  cv::imwrite((dir / "mixed" / "b.png").string(), cv::Mat(16, 16, CV_8UC1, cv::Scalar(9)));
  ImageSetOptions opt;
  opt.progress.quiet = true;
  EXPECT_NE(error_of([&] { load_image_set(dir / "mixed", opt); }).find("b.png is 16x16"), std::string::npos);
  opt.limit = 1;
  ImageBatch one = load_image_set(dir / "mixed", opt);
  EXPECT_EQ(one.c, 3);
  EXPECT_EQ(one.data[0], 9);
  fs::create_directories(dir / "empty");
  EXPECT_NE(error_of([&] { load_image_set(dir / "empty", opt); }).find("contains no images"), std::string::npos);
}

}  // namespace
}  // namespace gankit
