// The pyramid (box-filter chain, rounding) and the HDF5 store (layout, round trip, streaming,
// atomic output, bad input).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <numeric>

#include "error.h"
#include "hdf5_store.h"
#include "pyramid.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

std::vector<std::vector<uint8_t>> pyramid_of(const std::vector<uint8_t>& img, int c, int r) {
  std::vector<std::vector<uint8_t>> levels;
  std::vector<float> scratch;
  build_pyramid(img.data(), c, r, levels, scratch);
  return levels;
}

TEST(Pyramid, HalfToEvenRoundingOfEachLevel) {
  // 2x2 blocks averaging 2.5 -> 2, 4.5 -> 4, 0.5 -> 0, 1.5 -> 2 (half to even, numpy's round).
  std::vector<uint8_t> img = {1, 2, 3, 4,  //
                              3, 4, 5, 6,  //
                              0, 1, 1, 2,  //
                              0, 1, 1, 2};
  auto levels = pyramid_of(img, 1, 4);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[1], (std::vector<uint8_t>{2, 4, 0, 2}));
}

TEST(Pyramid, ChainUsesUnroundedPreviousLevel) {
  // Level 1 unrounded: 2.5 2.5 / 2.5 3.5 (rounded 2 2 / 2 4). Level 2 from unrounded values:
  // 11/4 = 2.75 -> 3; from the rounded level it would be 10/4 = 2.5 -> 2.
  std::vector<uint8_t> img = {1, 2, 0, 5,  //
                              3, 4, 2, 3,  //
                              2, 3, 3, 4,  //
                              2, 3, 3, 4};
  auto levels = pyramid_of(img, 1, 4);
  EXPECT_EQ(levels[1], (std::vector<uint8_t>{2, 2, 2, 4}));
  EXPECT_EQ(levels[2], (std::vector<uint8_t>{3}));
}

TEST(Pyramid, ChannelsAreIndependentAndLevelsGoToOne) {
  const int r = 8;
  std::vector<uint8_t> img(3 * r * r);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < r * r; ++i) img[c * r * r + i] = static_cast<uint8_t>(50 * c + 7);
  auto levels = pyramid_of(img, 3, r);
  ASSERT_EQ(levels.size(), 4u);  // 8, 4, 2, 1
  EXPECT_EQ(levels[3], (std::vector<uint8_t>{7, 57, 107}));
  EXPECT_EQ(levels[0], img);
}

TEST(Compression, Parse) {
  EXPECT_EQ(Compression::parse("none").gzip_level, 0);
  EXPECT_EQ(Compression::parse("gzip").gzip_level, 4);
  EXPECT_EQ(Compression::parse("gzip:9").gzip_level, 9);
  EXPECT_EQ(Compression::parse("gzip:1").to_string(), "gzip:1");
  for (const char* bad : {"gzip:0", "gzip:10", "lzf", "", "gzip:"}) {
    try {
      Compression::parse(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_NE(test::cli_message(e).find("--compression"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << "the library names no flag: " << e.what();
    }
  }
}

// Writes n images of c x r x r (deterministic content) with labels i % 3.
ByteBuffer write_sample(const fs::path& path, int n, int c, int r, PyramidWriterOptions opt) {
  auto data = test::random_bytes(static_cast<size_t>(n) * c * r * r, 7);
  PyramidWriter w(path, r, c, std::move(opt));
  for (int i = 0; i < n; ++i) w.append(data.data() + static_cast<size_t>(i) * c * r * r, i % 3);
  w.commit();
  return data;
}

PyramidWriterOptions labelled() {
  PyramidWriterOptions o;
  o.with_labels = true;
  o.class_names = {"zero", "one", "two"};
  o.attributes["source"] = "unit-test";
  return o;
}

TEST(PyramidStore, RoundTripEveryLevelLabelsAndAttributes) {
  TempDir dir;
  const int n = 10, c = 3, r = 8;
  auto data = write_sample(dir / "a.h5", n, c, r, labelled());
  PyramidReader rd(dir / "a.h5");
  EXPECT_EQ(rd.count(), n);
  EXPECT_EQ(rd.channels(), c);
  EXPECT_EQ(rd.info().resolutions, (std::vector<int>{8, 4, 2, 1}));
  EXPECT_EQ(rd.info().compression, "gzip:4");
  EXPECT_EQ(rd.info().class_names, (std::vector<std::string>{"zero", "one", "two"}));
  EXPECT_EQ(rd.info().attributes.at("source"), "unit-test");
  EXPECT_EQ(rd.info().attributes.at("tool_version"), tool_version());
  ImageBatch full = rd.read(8, 0, n);
  EXPECT_EQ(full.data, data);
  for (int k = 1; k <= 3; ++k) {
    const int lr = r >> k;
    ImageBatch lv = rd.read(lr, 0, n);
    for (int i = 0; i < n; ++i) {
      auto levels =
          pyramid_of(std::vector<uint8_t>(data.begin() + i * c * r * r, data.begin() + (i + 1) * c * r * r), c, r);
      ASSERT_EQ(std::vector<uint8_t>(lv.image(i), lv.image(i) + lv.image_bytes()), levels[k]) << "level " << lr;
    }
  }
  auto labels = rd.labels();
  ASSERT_EQ(labels.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(labels[i], i % 3);
}

TEST(PyramidStore, ChunkLayoutFollowsTheSpec) {
  TempDir dir;
  write_sample(dir / "a.h5", 5, 3, 8, labelled());
  PyramidWriterOptions raw;
  raw.compression = Compression::parse("none");
  write_sample(dir / "b.h5", 5, 1, 8, raw);
  auto chunk_of = [](const fs::path& p, const char* name, int* filters) {
    hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t pl = H5Dget_create_plist(d);
    hsize_t chunk[4] = {0, 0, 0, 0};
    H5Pget_chunk(pl, 4, chunk);
    *filters = H5Pget_nfilters(pl);
    H5Pclose(pl);
    H5Dclose(d);
    H5Fclose(f);
    return chunk[0];
  };
  int filters = -1;
  // ceil(128 / (C*r*r)) images per chunk.
  EXPECT_EQ(chunk_of(dir / "a.h5", "data8x8", &filters), 1u);
  EXPECT_EQ(filters, 1);
  EXPECT_EQ(chunk_of(dir / "a.h5", "data4x4", &filters), 3u);
  EXPECT_EQ(chunk_of(dir / "a.h5", "data2x2", &filters), 11u);
  EXPECT_EQ(chunk_of(dir / "a.h5", "data1x1", &filters), 43u);
  EXPECT_EQ(chunk_of(dir / "b.h5", "data8x8", &filters), 2u);
  EXPECT_EQ(filters, 0);
  EXPECT_EQ(PyramidReader(dir / "b.h5").info().compression, "none");
  EXPECT_FALSE(PyramidReader(dir / "b.h5").info().has_labels);
}

TEST(PyramidStore, StreamingAcrossManyBlocksMatchesOneBlock) {
  TempDir dir;
  PyramidWriterOptions small = labelled();
  small.block_bytes = 3 * 16 * 16 * 3;  // three images per block: 37 images -> 13 flushes
  const ByteBuffer input = write_sample(dir / "small.h5", 37, 3, 16, small);
  write_sample(dir / "big.h5", 37, 3, 16, labelled());
  PyramidReader ra(dir / "small.h5"), rb(dir / "big.h5");
  for (int r : {16, 8, 4, 2, 1}) EXPECT_EQ(ra.read(r, 0, 37).data, rb.read(r, 0, 37).data) << r;
  EXPECT_EQ(ra.labels(), rb.labels());
  // And both hold the input and its pyramid, image by image (not only each other).
  EXPECT_TRUE(std::equal(input.begin(), input.end(), ra.read(16, 0, 37).data.begin()));
  std::vector<std::vector<uint8_t>> levels;
  std::vector<float> scratch;
  for (int i : {0, 17, 36}) {
    build_pyramid(input.data() + static_cast<size_t>(i) * 3 * 16 * 16, 3, 16, levels, scratch);
    for (int k = 1; k <= 4; ++k) {
      const ImageBatch one = ra.read(16 >> k, i, 1);
      EXPECT_TRUE(std::equal(levels[k].begin(), levels[k].end(), one.data.begin())) << "image " << i << " level " << k;
    }
  }
}

TEST(PyramidStore, RandomMinibatchReadsMatchSequentialReads) {
  TempDir dir;
  write_sample(dir / "a.h5", 50, 3, 8, labelled());
  PyramidReader rd(dir / "a.h5");
  ImageBatch all = rd.read(4, 0, 50);
  std::vector<int64_t> idx = {49, 3, 4, 5, 3, 0, 17, 18, 48};
  ImageBatch some = rd.read_indices(4, idx);
  ASSERT_EQ(some.n, static_cast<int64_t>(idx.size()));
  for (size_t i = 0; i < idx.size(); ++i)
    EXPECT_EQ(0, std::memcmp(some.image(static_cast<int64_t>(i)), all.image(idx[i]), all.image_bytes())) << i;
  const std::vector<int64_t> bad = {2, 50};
  EXPECT_THROW(rd.read_indices(4, bad), Error);
}

TEST(PyramidStore, UncommittedWriterLeavesNothing) {
  TempDir dir;
  {
    PyramidWriter w(dir / "a.h5", 4, 3, {});
    std::vector<uint8_t> img(48, 1);
    w.append(img.data());
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(PyramidStore, RefusesExistingOutputUnlessOverwrite) {
  TempDir dir;
  write_sample(dir / "a.h5", 2, 3, 4, {});
  try {
    write_sample(dir / "a.h5", 2, 3, 4, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    EXPECT_NE(std::string(e.what()).find("exists"), std::string::npos);
  }
  PyramidWriterOptions o;
  o.overwrite = true;
  write_sample(dir / "a.h5", 3, 3, 4, o);
  EXPECT_EQ(PyramidReader(dir / "a.h5").count(), 3);
}

TEST(PyramidStore, BadInputsGiveClearErrors) {
  TempDir dir;
  EXPECT_NE(test::error_of([&] { PyramidReader r(dir / "missing.h5"); }).find("does not exist"), std::string::npos);
  test::write_bytes(dir / "text.h5", "hello");
  EXPECT_NE(test::error_of([&] { PyramidReader r(dir / "text.h5"); }).find("is not an HDF5 file"), std::string::npos);
  write_sample(dir / "a.h5", 2, 3, 4, {});
  EXPECT_NE(
      test::error_of([&] { PyramidReader(dir / "a.h5").read(64, 0, 1); }).find("has no 64x64 level (levels: 4, 2, 1)"),
      std::string::npos);
  EXPECT_NE(test::error_of([&] { PyramidWriter w(dir / "nodir" / "a.h5", 4, 3, {}); }).find("does not exist"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { PyramidWriter w(dir / "b.h5", 12, 3, {}); }).find("not a power of two"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              PyramidWriter w(dir / "c.h5", 4, 3, {});
              w.commit();
            }).find("no images"),
            std::string::npos);
}

}  // namespace
}  // namespace gankit
