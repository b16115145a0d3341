// Each importer on small files in the real formats: pixel layout, labels, splits, the
// crop/resize rules, and the clear error for each kind of bad input.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "error.h"
#include "fixtures.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "import.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::pixel;
using test::TempDir;

ImportOptions quiet() {
  ImportOptions o;
  o.progress.quiet = true;
  return o;
}

void expect_pixels(const ImageBatch& b, int64_t i, int image_index, int y0 = 0, int x0 = 0) {
  for (int c = 0; c < b.c; ++c)
    for (int y = 0; y < b.h; ++y)
      for (int x = 0; x < b.w; ++x)
        ASSERT_EQ(b.image(i)[(c * b.h + y) * b.w + x], pixel(image_index, c, y + y0, x + x0))
            << "image " << i << " c" << c << " y" << y << " x" << x;
}

TEST(ImportCifar10, LayoutLabelsSplitsAndClassNames) {
  TempDir dir;
  test::write_cifar10(dir / "cifar", 3, 2);
  auto s = import_dataset(dir / "cifar", dir / "train.h5", quiet());
  EXPECT_EQ(s.format, "cifar10");
  EXPECT_EQ(s.count, 15);
  PyramidReader r(dir / "train.h5");
  EXPECT_EQ(r.info().resolutions, (std::vector<int>{32, 16, 8, 4, 2, 1}));
  ImageBatch b = r.read(32, 0, 15);
  for (int i = 0; i < 15; ++i) expect_pixels(b, i, i);
  auto labels = r.labels();
  for (int i = 0; i < 15; ++i) EXPECT_EQ(labels[i], i % 10);
  EXPECT_EQ(r.info().class_names.at(9), "truck");
  EXPECT_EQ(r.info().attributes.at("importer"), "cifar10");

  ImportOptions test = quiet();
  test.source.split = "test";
  EXPECT_EQ(import_dataset(dir / "cifar", dir / "test.h5", test).count, 2);
  expect_pixels(PyramidReader(dir / "test.h5").read(32, 0, 2), 1, 16);
  // A single batch file works too.
  EXPECT_EQ(import_dataset(dir / "cifar" / "data_batch_2.bin", dir / "one.h5", quiet()).count, 3);
}

TEST(ImportCifar10, TruncatedRecordAndMissingBatch) {
  TempDir dir;
  test::write_cifar10(dir / "cifar", 2, 1);
  std::string bytes = test::read_bytes(dir / "cifar" / "data_batch_3.bin");
  test::write_bytes(dir / "cifar" / "data_batch_3.bin", bytes.substr(0, bytes.size() - 100));
  ErrorKind kind{};
  EXPECT_NE(error_of([&] { import_dataset(dir / "cifar", dir / "o.h5", quiet()); }, &kind)
                .find("data_batch_3.bin: truncated CIFAR-10 file"),
            std::string::npos);
  EXPECT_EQ(kind, ErrorKind::Data);
  fs::remove(dir / "cifar" / "data_batch_3.bin");
  EXPECT_NE(error_of([&] { import_dataset(dir / "cifar", dir / "o.h5", quiet()); }).find("data_batch_3.bin is missing"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "o.h5"));
}

TEST(ImportSvhn, ColumnMajorLayoutAndLabelTenIsZero) {
  TempDir dir;
  fs::create_directories(dir / "svhn");
  test::write_svhn(dir / "svhn" / "train_32x32.mat", 1100);  // > one 1024-image slab
  test::write_svhn(dir / "svhn" / "test_32x32.mat", 3);
  auto s = import_dataset(dir / "svhn", dir / "o.h5", quiet());
  EXPECT_EQ(s.format, "svhn");
  EXPECT_EQ(s.count, 1100);
  PyramidReader r(dir / "o.h5");
  ImageBatch b = r.read(32, 0, 1100);
  for (int i : {0, 1, 9, 1023, 1024, 1099}) expect_pixels(b, i, i);
  auto labels = r.labels();
  EXPECT_EQ(labels[9], 0);  // y = 10 means digit 0
  EXPECT_EQ(labels[3], 4);  // y = 4
  ImportOptions all = quiet();
  all.source.split = "test";
  EXPECT_EQ(import_dataset(dir / "svhn", dir / "t.h5", all).count, 3);
}

TEST(ImportSvhn, WrongKindOfMatFile) {
  TempDir dir;
  test::write_other_mat(dir / "weights.mat");
  EXPECT_NE(error_of([&] {
              import_dataset(dir / "weights.mat", dir / "o.h5", quiet());
            }).find("not an SVHN cropped-digits file: it needs variables X and y"),
            std::string::npos);
  test::write_bytes(dir / "fake.mat", "MATLAB 5.0 but not really");
  EXPECT_NE(error_of([&] { import_dataset(dir / "fake.mat", dir / "o.h5", quiet()); }).find("fake.mat"),
            std::string::npos);
}

TEST(ImportIdx, RawAndGzipPadTo32AndKeepGrayscale) {
  TempDir dir;
  for (bool gz : {false, true}) {
    const std::string sfx = gz ? ".gz" : "";
    const fs::path d = dir / (gz ? "gz" : "raw");
    fs::create_directories(d);
    test::write_idx(d / ("train-images-idx3-ubyte" + sfx), d / ("train-labels-idx1-ubyte" + sfx), 12, 28, 28, gz);
    auto s = import_dataset(d, d / "o.h5", quiet());
    EXPECT_EQ(s.count, 12);
    EXPECT_EQ(s.channels, 1);
    PyramidReader r(d / "o.h5");
    EXPECT_EQ(r.info().resolution, 32);
    ImageBatch b = r.read(32, 0, 12);
    for (int i = 0; i < 12; ++i)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const bool border = y < 2 || y >= 30 || x < 2 || x >= 30;
          ASSERT_EQ(b.image(i)[y * 32 + x], border ? 0 : pixel(i, 0, y - 2, x - 2));
        }
    EXPECT_EQ(r.labels()[11], 1);
  }
}

TEST(ImportIdx, WrongMagicAndTruncation) {
  TempDir dir;
  test::write_idx(dir / "train-images-idx3-ubyte", dir / "train-labels-idx1-ubyte", 4, 28, 28, false);
  // Labels file given as images: magic 0x801.
  EXPECT_NE(error_of([&] {
              import_dataset(dir / "train-labels-idx1-ubyte", dir / "o.h5", [] {
                auto o = quiet();
                o.source.format = "idx";
                return o;
              }());
            }).find("wrong magic 0x00000801, expected 0x00000803"),
            std::string::npos);
  // A raw file is checked against its header before reading; a gzip file fails where it ends.
  std::string bytes = test::read_bytes(dir / "train-images-idx3-ubyte");
  test::write_bytes(dir / "train-images-idx3-ubyte", bytes.substr(0, bytes.size() - 10));
  EXPECT_NE(error_of([&] {
              import_dataset(dir.path(), dir / "o.h5", quiet());
            }).find("the header says 4 images of 28x28 (3152 bytes) but the file holds 3142 bytes"),
            std::string::npos);
  fs::remove(dir / "train-images-idx3-ubyte");
  fs::remove(dir / "train-labels-idx1-ubyte");
  test::write_idx(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz", 4, 28, 28, true);
  bytes = test::read_bytes(dir / "train-images-idx3-ubyte.gz");
  test::write_bytes(dir / "train-images-idx3-ubyte.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_NE(error_of([&] { import_dataset(dir.path(), dir / "o.h5", quiet()); }).find("truncated or corrupt IDX file"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "o.h5"));
}

TEST(ImportLsun, WebpAndJpegValuesCentreCroppedAndResized) {
  TempDir dir;
  test::write_lsun(dir / "bedroom", 4, 48, 32);
  ImportOptions o = quiet();
  o.center_crop = true;
  auto s = import_dataset(dir / "bedroom", dir / "o.h5", o);
  EXPECT_EQ(s.format, "lsun");
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.resolution, 32);
  ImageBatch b = PyramidReader(dir / "o.h5").read(32, 0, 4);
  expect_pixels(b, 0, 0, 0, 8);  // lossless webp, central 32x32 of 48x32
  // jpeg: exactly what OpenCV's decoder makes of the same bytes, cropped.
  cv::Mat jpeg = test::lsun_decoded_rgb(1, 48, 32)(cv::Rect(8, 0, 32, 32)).clone();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) ASSERT_EQ(b.image(1)[(c * 32 + y) * 32 + x], jpeg.at<cv::Vec3b>(y, x)[c]);
  // Another resolution into the same file: refused without overwrite, the old file untouched.
  o.resolution = 16;
  EXPECT_NE(
      error_of([&] { import_dataset(dir / "bedroom" / "data.mdb", dir / "o.h5", o); }).find("exists (pass --overwrite"),
      std::string::npos);
  EXPECT_EQ(PyramidReader(dir / "o.h5").info().resolution, 32);
  o.overwrite = true;
  import_dataset(dir / "bedroom" / "data.mdb", dir / "o.h5", o);
  EXPECT_NE(PyramidReader(dir / "o.h5").info().attributes.at("filters").find("center_crop=yes"), std::string::npos);
  EXPECT_EQ(PyramidReader(dir / "o.h5").info().resolution, 16);
  // Without --center-crop the non-square source is refused, naming the record.
  EXPECT_NE(error_of([&] {
              import_dataset(dir / "bedroom", dir / "p.h5", quiet());
            }).find("lmdb:img1000 is 48x32, not square"),
            std::string::npos);
}

TEST(ImportCeleba, OfficialCropAndPartition) {
  TempDir dir;
  test::write_celeba(dir / "celeba", 6);
  auto s = import_dataset(dir / "celeba", dir / "all.h5", quiet());
  EXPECT_EQ(s.format, "celeba");
  EXPECT_EQ(s.count, 6);
  ImageBatch b = PyramidReader(dir / "all.h5").read(128, 0, 6);
  expect_pixels(b, 4, 4, 121 - 64, 89 - 64);
  ImportOptions o = quiet();
  o.source.split = "test";  // partition 2: images 3 and 6
  o.resolution = 64;
  auto t = import_dataset(dir / "celeba", dir / "test.h5", o);
  EXPECT_EQ(t.count, 2);
  EXPECT_EQ(t.resolution, 64);
  fs::remove(dir / "celeba" / "list_eval_partition.txt");
  EXPECT_NE(error_of([&] {
              import_dataset(dir / "celeba", dir / "x.h5", o);
            }).find("list_eval_partition.txt, which is missing"),
            std::string::npos);
}

TEST(ImportFolder, RulesForSizesCropsAndBadFiles) {
  TempDir dir;
  fs::create_directories(dir / "imgs");
  for (int i = 0; i < 3; ++i) {
    cv::Mat img(16, 16, CV_8UC3, cv::Scalar(i, i, i));
    cv::imwrite((dir / "imgs" / ("img" + std::to_string(i) + ".png")).string(), img);
  }
  EXPECT_EQ(import_dataset(dir / "imgs", dir / "a.h5", quiet()).count, 3);
  // Mixed sizes need --resolution.
  cv::imwrite((dir / "imgs" / "img3.png").string(), cv::Mat(32, 32, CV_8UC3, cv::Scalar(3, 3, 3)));
  EXPECT_NE(error_of([&] {
              import_dataset(dir / "imgs", dir / "b.h5", quiet());
            }).find("img3.png is 32x32 but the dataset is 16x16"),
            std::string::npos);
  ImportOptions r16 = quiet();
  r16.resolution = 16;
  EXPECT_EQ(import_dataset(dir / "imgs", dir / "b.h5", r16).count, 4);
  // Corrupt file: named; --skip-bad skips and counts.
  test::write_bytes(dir / "imgs" / "img4.png", "garbage");
  EXPECT_NE(error_of([&] { import_dataset(dir / "imgs", dir / "c.h5", r16); }).find("img4.png"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "c.h5"));
  r16.skip_bad = true;
  auto s = import_dataset(dir / "imgs", dir / "c.h5", r16);
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.skipped, 1);
  cv::imwrite((dir / "imgs" / "img5.jpg").string(), cv::Mat(16, 16, CV_8UC3, cv::Scalar(5, 5, 5)));
  fs::remove(dir / "c.h5");
  import_dataset(dir / "imgs", dir / "c.h5", r16);
  EXPECT_NE(PyramidReader(dir / "c.h5").info().attributes.at("filters").find("1 of 6 inputs lossy (jpeg/webp)"),
            std::string::npos);
  fs::remove(dir / "imgs" / "img5.jpg");
  EXPECT_EQ(PyramidReader(dir / "c.h5").info().attributes.at("skipped"), "1");
  // --limit
  ImportOptions lim = r16;
  lim.limit = 2;
  EXPECT_EQ(import_dataset(dir / "imgs", dir / "d.h5", lim).count, 2);
  // Non-power-of-two first image without --resolution.
  fs::create_directories(dir / "odd");
  cv::imwrite((dir / "odd" / "a.png").string(), cv::Mat(28, 28, CV_8UC3, cv::Scalar(1)));
  EXPECT_NE(error_of([&] {
              import_dataset(dir / "odd", dir / "e.h5", quiet());
            }).find("power-of-two size, pass --resolution"),
            std::string::npos);
  // Empty folder.
  fs::create_directories(dir / "empty");
  EXPECT_NE(error_of([&] { import_dataset(dir / "empty", dir / "f.h5", quiet()); }).find("contains no images"),
            std::string::npos);
  // Bad option values are usage errors.
  ErrorKind kind{};
  ImportOptions bad = quiet();
  bad.resolution = 48;
  EXPECT_NE(error_of([&] { import_dataset(dir / "imgs", dir / "g.h5", bad); }, &kind).find("48 is not a power of two"),
            std::string::npos);
  EXPECT_EQ(kind, ErrorKind::Usage);
}

TEST(ImportFolder, FileOrderIsSortedWhateverTheCreationOrder) {
  TempDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  for (int i : {2, 0, 1})
    cv::imwrite((dir / "a" / ("x" + std::to_string(i) + ".png")).string(), cv::Mat(4, 4, CV_8UC3, cv::Scalar(i, i, i)));
  for (int i : {1, 2, 0})
    cv::imwrite((dir / "b" / ("x" + std::to_string(i) + ".png")).string(), cv::Mat(4, 4, CV_8UC3, cv::Scalar(i, i, i)));
  import_dataset(dir / "a", dir / "a.h5", quiet());
  import_dataset(dir / "b", dir / "b.h5", quiet());
  ImageBatch a = PyramidReader(dir / "a.h5").read(4, 0, 3);
  EXPECT_EQ(a.data, PyramidReader(dir / "b.h5").read(4, 0, 3).data);
  EXPECT_EQ(a.image(2)[0], 2);
}

TEST(FitToResolution, CropThenResize) {
  cv::Mat img(20, 30, CV_8UC3, cv::Scalar(0, 0, 0));
  img(cv::Rect(5, 0, 20, 20)).setTo(cv::Scalar(9, 9, 9));  // the central square
  cv::Mat out = fit_to_resolution(img, 20, false, true, cv::INTER_AREA, "x");
  EXPECT_EQ(out.cols, 20);
  EXPECT_EQ(cv::countNonZero(out.reshape(1) != 9), 0);
  cv::Mat small = fit_to_resolution(img, 4, true, true, parse_resize_filter("lanczos"), "x");
  EXPECT_EQ(small.rows, 4);
  EXPECT_THROW(fit_to_resolution(img, 20, false, false, cv::INTER_AREA, "x"), Error);
  EXPECT_THROW(parse_resize_filter("nearest"), Error);
}

}  // namespace
}  // namespace gankit
