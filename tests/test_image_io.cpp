// Image decoding (colour order, grayscale/RGBA, corrupt and truncated files), folder listing,
// .npy/.npz loading and whole-set loading.
#include <gtest/gtest.h>
#include <zip.h>

#include <opencv2/imgcodecs.hpp>
#include <optional>

#include "error.h"
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

ImageBatch sample_batch(int n, int c, int h, int w) {
  ImageBatch b(n, c, h, w);
  auto bytes = test::random_bytes(b.data.size(), 3);
  b.data = bytes;
  return b;
}

// TMPDIR set to a new folder `dir` for the scope (also when an assertion ends the test early).
class TempDirAt {
 public:
  explicit TempDirAt(const fs::path& dir) {
    fs::create_directories(dir);
    if (const char* old = std::getenv("TMPDIR")) saved_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~TempDirAt() {
    if (saved_)
      setenv("TMPDIR", saved_->c_str(), 1);
    else
      unsetenv("TMPDIR");
  }

 private:
  std::optional<std::string> saved_;
};

// Whether this process holds a file open under `dir` (an unlinked temporary has no name there).
bool has_open_file_in(const fs::path& dir) {
  for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind(dir.string(), 0) == 0) return true;
  }
  return false;
}

// A .npz archive of the given members, stored or deflated.
void write_npz(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& members, bool deflate) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    const zip_int64_t idx = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

TEST(Npy, RoundTripNhwcAndReadNchw) {
  TempDir dir;
  ImageBatch b = sample_batch(3, 3, 5, 7);
  save_npy_nhwc(dir / "a.npy", b);
  ImageBatch back = load_npy(dir / "a.npy");
  EXPECT_EQ(back.n, 3);
  EXPECT_EQ(back.c, 3);
  EXPECT_EQ(back.h, 5);
  EXPECT_EQ(back.w, 7);
  EXPECT_EQ(back.data, b.data);
  // NCHW: the raw bytes are the batch itself.
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 3, 5, 7), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xff) + char(header.size() >> 8) +
                     header + std::string(b.data.begin(), b.data.end());
  ImageBatch nchw = parse_npy(file, "x.npy");
  EXPECT_EQ(nchw.c, 3);
  EXPECT_EQ(nchw.h, 5);
  EXPECT_EQ(nchw.data, b.data);
}

TEST(Npy, RejectsWrongDtypeShapeAndTruncation) {
  auto make = [](const std::string& dict, size_t payload) {
    std::string h = dict;
    h += '\n';
    return std::string("\x93NUMPY\x01\x00", 8) + char(h.size() & 0xff) + char(h.size() >> 8) + h +
           std::string(payload, 'x');
  };
  EXPECT_NE(error_of([&] {
              parse_npy(make("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 4, 3), }", 192), "f.npy");
            }).find("dtype is <f4"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_npy(make("{'descr': '|u1', 'fortran_order': False, 'shape': (10,), }", 10), "v.npy");
            }).find("not (N, H, W)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_npy(make("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4, 4, 3), }", 5), "t.npy");
            }).find("truncated"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_npy("PK\x03\x04 not npy at all", "z.npy"); }).find("bad magic"), std::string::npos);
}

TEST(Npy, NpzStoredAndDeflatedMembers) {
  TempDir dir;
  // Two different members, so that the choice of member is visible: "images" by default, any by key.
  ImageBatch b = sample_batch(2, 3, 4, 4), other = sample_batch(3, 1, 8, 8);
  std::fill(other.data.begin(), other.data.end(), 7);
  save_npy_nhwc(dir / "m.npy", b);
  save_npy_nhwc(dir / "o.npy", other);
  const std::string member = test::read_bytes(dir / "m.npy"), other_member = test::read_bytes(dir / "o.npy");
  for (bool deflate : {false, true}) {
    const fs::path path = dir / (deflate ? "d.npz" : "s.npz");
    write_npz(path, {{"labels.npy", other_member}, {"images.npy", member}}, deflate);
    EXPECT_EQ(load_npz(path).data, b.data);  // "images" although it is not the first member
    const ImageBatch chosen = load_npz(path, "labels");
    EXPECT_EQ(chosen.n, 3);
    EXPECT_EQ(chosen.c, 1);
    EXPECT_EQ(chosen.data, other.data);
    EXPECT_NE(error_of([&] { load_npz(path, "nope"); }).find("cannot choose"), std::string::npos);
  }
}

TEST(ImageSet, FolderNpyAndHdf5GiveTheSameImages) {
  TempDir dir;
  ImageBatch b = sample_batch(4, 3, 8, 8);
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
  ImageBatch gray = sample_batch(7, 1, 6, 5);
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

TEST(ImageSet, LargeFolderIsStreamedFromAnUnlinkedFileWithTheSameImages) {
  // 700 noise PNGs of 64x64 decode to 8.6 MB, above a 4 MiB hold limit (64 MiB by default): the
  // set is decoded once into a temporary file that has no name (nothing is left in TMPDIR) and
  // read back by ranges, image for image what the in-memory loader gives.
  TempDir dir;
  test::write_noise_folder(dir / "big", 700, 64);
  const TempDirAt tmp(dir / "tmp");
  ImageSetOptions opt;
  opt.progress.quiet = true;
  opt.spill_limit = 4 << 20;
  const ImageBatch all = load_image_set(dir / "big", opt);
  auto streamed = open_image_set(dir / "big", opt);
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
  EXPECT_TRUE(has_open_file_in(dir / "tmp"));
  ASSERT_EQ(streamed->count(), 700);
  ImageBatch a;
  for (auto [start, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 700}, {255, 3}, {699, 1}, {256, 256}}) {
    streamed->read(start, n, a);
    ASSERT_EQ(a.n, n);
    EXPECT_EQ(0, std::memcmp(a.image(0), all.image(start), static_cast<size_t>(n) * all.image_bytes())) << start;
  }
  opt.resolution = 32;
  EXPECT_NE(error_of([&] { open_image_set(dir / "big", opt); }).find("not the requested 32x32"), std::string::npos);
  streamed.reset();
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
}

TEST(ImageSet, LargeNpzMemberIsStreamedFromAnUnlinkedFile) {
  // Above the spill limit (64 MiB by default, 1 KiB here) the member is inflated once into an
  // unlinked temporary file and streamed: the same images as load_npz, for a stored and a
  // deflated member, nothing left in TMPDIR; a corrupt member is named as before.
  TempDir dir;
  const TempDirAt tmp(dir / "tmp");
  const ImageBatch b = sample_batch(20, 3, 16, 12);
  save_npy_nhwc(dir / "images.npy", b);
  const std::string npy = test::read_bytes(dir / "images.npy");
  for (bool deflate : {false, true}) {
    const fs::path npz = dir / (deflate ? "d.npz" : "s.npz");
    write_npz(npz, {{"images.npy", npy}}, deflate);
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

TEST(Report, TableRightAlignsAllNumberColumnsOnly) {
  Table t({"level", "swd"});
  t.add_row({"128", "1.5"});
  t.add_row({"avg", "12.25"});
  EXPECT_EQ(t.to_string(), "level    swd\n------------\n128      1.5\navg    12.25\n");
}

// One list gives both outputs: every add() is a JSON field and a row (label and text defaulted
// from the key and value), also() is JSON only, row() is the table only.
TEST(Report, SummaryMakesTheTableAndTheJsonFromOneList) {
  Summary s;
  s.add("output", "a.h5")
      .add("images", 12, "12 of 14 rows (2 skipped)")
      .also("skipped", 2)
      .add("images_per_s", 3.5, {}, "rate")
      .add("without_face", 4)
      .row("note", "people only");
  EXPECT_EQ(
      s.json(),
      nlohmann::json({{"output", "a.h5"}, {"images", 12}, {"skipped", 2}, {"images_per_s", 3.5}, {"without_face", 4}}));
  EXPECT_EQ(s.table().to_string(),
            "field         value\n"
            "---------------------------------------\n"
            "output        a.h5\n"
            "images        12 of 14 rows (2 skipped)\n"
            "rate          3.5\n"
            "without face  4\n"
            "note          people only\n");
}

}  // namespace
}  // namespace gankit
