// Image decoding (lib/image_io.h): colour order, grayscale/RGBA, corrupt and truncated files, and
// folder listing.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "hdf5_store.h"
#include "image_io.h"
#include "image_set.h"
#include "npy.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::TempDir;

TEST(ImageIo, DecodesToRgbOrder) {
  TempDir dir;
  cv::Mat bgr(2, 3, CV_8UC3, cv::Scalar(10, 20, 250));  // OpenCV order: B=10 G=20 R=250
  cv::imwrite((dir / "red.png").string(), bgr);
  cv::Mat rgb = read_image(dir / "red.png");
  ASSERT_EQ(rgb.channels(), 3);
  EXPECT_EQ(rgb.at<cv::Vec3b>(1, 2), cv::Vec3b(250, 20, 10));
  // Our writer takes RGB and round-trips exactly.
  write_image(dir / "copy.png", rgb);
  EXPECT_EQ(cv::norm(read_image(dir / "copy.png"), rgb, cv::NORM_INF), 0.0);
}

TEST(ImageIo, GrayscaleAndRgbaBecomeRgbOrStayGray) {
  TempDir dir;
  cv::Mat gray(4, 4, CV_8UC1, cv::Scalar(77));
  cv::imwrite((dir / "g.png").string(), gray);
  cv::Mat rgb = read_image(dir / "g.png");
  EXPECT_EQ(rgb.channels(), 3);
  EXPECT_EQ(rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(77, 77, 77));
  EXPECT_EQ(read_image(dir / "g.png", ColorMode::Keep).channels(), 1);
  cv::Mat bgra(4, 4, CV_8UC4, cv::Scalar(1, 2, 3, 128));
  cv::imwrite((dir / "a.png").string(), bgra);
  EXPECT_EQ(read_image(dir / "a.png").at<cv::Vec3b>(3, 3), cv::Vec3b(3, 2, 1));
  cv::Mat deep(4, 4, CV_16UC1, cv::Scalar(65535));
  cv::imwrite((dir / "d.png").string(), deep);
  EXPECT_EQ(read_image(dir / "d.png").at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
}

TEST(ImageIo, CorruptAndTruncatedFilesNameTheFile) {
  TempDir dir;
  test::write_bytes(dir / "junk.png", "this is not an image at all");
  EXPECT_NE(error_of([&] { read_image(dir / "junk.png"); }).find("junk.png"), std::string::npos);
  test::write_bytes(dir / "empty.jpg", "");
  EXPECT_NE(error_of([&] { read_image(dir / "empty.jpg"); }).find("empty file"), std::string::npos);
  cv::Mat img(64, 64, CV_8UC3);
  cv::randu(img, 0, 255);
  std::vector<uint8_t> jpg, png;
  cv::imencode(".jpg", img, jpg);
  cv::imencode(".png", img, png);
  test::write_bytes(dir / "cut.jpg", std::string(jpg.begin(), jpg.begin() + jpg.size() / 2));
  EXPECT_NE(error_of([&] { read_image(dir / "cut.jpg"); }).find("truncated JPEG"), std::string::npos);
  test::write_bytes(dir / "cut.png", std::string(png.begin(), png.begin() + png.size() / 2));
  EXPECT_NE(error_of([&] { read_image(dir / "cut.png"); }).find("cut.png"), std::string::npos);
  EXPECT_NE(error_of([&] { read_image(dir / "nothere.png"); }).find("no such file"), std::string::npos);
}

TEST(ImageIo, ListsImagesSortedAndRecursiveOnRequest) {
  TempDir dir;
  fs::create_directories(dir / "sub");
  cv::Mat img(2, 2, CV_8UC3, cv::Scalar(0));
  for (const char* n : {"b.png", "a.JPG", "c.webp", "sub/d.bmp"}) cv::imwrite((dir / n).string(), img);
  test::write_bytes(dir / "notes.txt", "x");
  auto flat = list_images(dir.path(), false);
  ASSERT_EQ(flat.size(), 3u);
  EXPECT_EQ(flat[0].filename(), "a.JPG");
  EXPECT_EQ(flat[2].filename(), "c.webp");
  EXPECT_EQ(list_images(dir.path(), true).size(), 4u);
  EXPECT_NE(error_of([&] { list_images(dir / "none", false); }).find("does not exist"), std::string::npos);
  EXPECT_TRUE(is_lossy_format("x.JPEG"));
  EXPECT_FALSE(is_lossy_format("x.png"));
}
}  // namespace
}  // namespace gankit
