// LevelStream — the streamed training data: every epoch a permutation served window by window,
// the bytes of the images the order names, the same order however it is read (jumps, restarts,
// epoch boundaries), a layout that fits its cache, and a corrupt chunk reported by read().
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "error.h"
#include "fixtures.h"
#include "hdf5_store.h"
#include "level_stream.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

std::vector<uint8_t> fixture_image(int64_t i, int c, int r) {
  std::vector<uint8_t> img(static_cast<size_t>(c) * r * r);
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < r; ++y)
      for (int x = 0; x < r; ++x)
        img[(static_cast<size_t>(ch) * r + y) * r + x] = test::pixel(static_cast<int>(i), ch, y, x);
  return img;
}

// 1002 images of 8x8 gray (64 bytes: HDF5 chunks of 2), runs of 4, windows of 40: 251 runs (the
// last one of 2 images), 26 windows (the last of 2 runs), so every epoch has a short run and a
// short window.
constexpr int64_t kCount = 1002;
constexpr StreamLayout kLayout{4, 40};

TEST(LevelStream, EveryEpochIsAPermutationServedWindowByWindow) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", kCount, 1, 8);
  LevelStream s(dir / "d.h5", 8, 3, kLayout);
  ASSERT_EQ(s.count(), kCount);
  std::vector<uint8_t> buf(static_cast<size_t>(3 * kCount * 64));
  s.read(0, 3 * kCount, buf.data());  // three epochs in one call
  std::vector<std::vector<int64_t>> epochs(3);
  for (int64_t p = 0; p < 3 * kCount; ++p) {
    const int64_t i = s.index_at(p);
    const auto want = fixture_image(i, 1, 8);
    ASSERT_TRUE(std::equal(want.begin(), want.end(), buf.begin() + p * 64)) << "position " << p << " image " << i;
    epochs[static_cast<size_t>(p / kCount)].push_back(i);
  }
  for (const auto& e : epochs) {
    EXPECT_EQ(std::set<int64_t>(e.begin(), e.end()).size(), static_cast<size_t>(kCount));  // each image once
    // Window by window: consecutive positions hold 10 whole runs of 4 consecutive images (run
    // 250 has 2), each run in one window only; the last window holds what is left (1 run).
    std::set<int64_t> used_runs;
    for (size_t k = 0; k < e.size();) {
      std::map<int64_t, int> runs;
      auto complete = [&] {
        for (const auto& [run, n] : runs)
          if (n != (run == 250 ? 2 : 4)) return false;
        return true;
      };
      do ++runs[e[k++] / 4];
      while (k < e.size() && !(runs.size() == 10 && complete()));
      EXPECT_TRUE(complete());
      EXPECT_TRUE(runs.size() == 10 || k == e.size());
      ASSERT_LE(runs.size(), 10u) << "a window mixes more than 10 runs";
      for (const auto& item : runs) EXPECT_TRUE(used_runs.insert(item.first).second);
    }
  }
  EXPECT_NE(epochs[0], epochs[1]);  // every epoch its own order
  EXPECT_NE(epochs[1], epochs[2]);
  // Not the file's order: few images are followed by the next one of their run.
  int64_t in_order = 0;
  for (size_t k = 1; k < epochs[0].size(); ++k) in_order += epochs[0][k] == epochs[0][k - 1] + 1;
  EXPECT_LT(in_order, kCount / 10);
}

TEST(LevelStream, TheOrderIsAFunctionOfSeedAndPositionHoweverItIsRead) {
  TempDir dir;
  test::write_pyramid(dir / "d.h5", kCount, 1, 8);
  LevelStream a(dir / "d.h5", 8, 3, kLayout);
  std::vector<uint8_t> all(static_cast<size_t>(3 * kCount * 64));
  a.read(0, 3 * kCount, all.data());
  // Another stream, read in jumps backwards and forwards, across windows and epoch ends (a resume
  // starts anywhere).
  LevelStream b(dir / "d.h5", 8, 3, kLayout);
  for (auto [p, n] : std::vector<std::pair<int64_t, int64_t>>{
           {2500, 7}, {10, 50}, {995, 20}, {0, 1}, {1990, 40}, {39, 2}, {2 * kCount + 900, kCount - 900}}) {
    std::vector<uint8_t> part(static_cast<size_t>(n * 64));
    b.read(p, n, part.data());
    EXPECT_TRUE(std::equal(part.begin(), part.end(), all.begin() + p * 64)) << p << " + " << n;
  }
  LevelStream other_seed(dir / "d.h5", 8, 4, kLayout);
  int64_t same = 0;
  for (int64_t p = 0; p < 100; ++p) same += other_seed.index_at(p) == a.index_at(p);
  EXPECT_LT(same, 10);
}

TEST(LevelStream, LayoutFitsTheCacheInWholeChunksAndRuns) {
  struct Case {
    int64_t count, image_bytes, chunk, cache;
  };
  for (const Case& c :
       {Case{60000, 1024, 1, 4 << 20}, Case{200000, 12288, 1, int64_t{256} << 20},
        Case{30000, 196608, 1, int64_t{256} << 20}, Case{5000, 100, 3, 1 << 20}, Case{100, 64, 2, int64_t{1} << 30}}) {
    const StreamLayout l = stream_layout(c.count, c.image_bytes, c.chunk, c.cache, 16);
    EXPECT_EQ(l.run % c.chunk, 0) << c.count;
    EXPECT_EQ(l.window % l.run, 0) << c.count;
    EXPECT_LE(2 * l.window * c.image_bytes, c.cache) << c.count;
    EXPECT_TRUE(l.window / l.run >= 16 || l.run == c.chunk || l.window >= c.count) << c.count;
  }
  // 64x64 RGB in 256 MB: runs of 22 images (256 KiB), windows of 496 runs.
  const StreamLayout l = stream_layout(200000, 12288, 1, int64_t{256} << 20, 128);
  EXPECT_EQ(l.run, 22);
  EXPECT_EQ(l.window, 10912);
  // A cache that cannot hold two windows of the minimum is refused with the size it needs.
  EXPECT_NE(test::error_of([] { stream_layout(200000, 12288, 1, 1 << 20, 128); }).find("at least 128 images"),
            std::string::npos);
}

// Overwrites the compressed bytes of chunk `index` of dataset `name`.
void corrupt_chunk(const fs::path& file, const char* name, hsize_t index) {
  haddr_t addr = 0;
  hsize_t size = 0;
  {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    hsize_t offset[4];
    unsigned mask = 0;
    const hid_t space = H5Dget_space(ds);
    ASSERT_GE(H5Dget_chunk_info(ds, space, index, offset, &mask, &addr, &size), 0);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
  }
  std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
  io.seekp(static_cast<std::streamoff>(addr));
  const std::string junk(static_cast<size_t>(size), '\xa5');
  io.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

TEST(LevelStream, ACorruptChunkIsReportedByReadNamingTheFile) {
  TempDir dir;
  {
    PyramidWriterOptions o;  // gzip: a chunk that does not inflate
    PyramidWriter w(dir / "d.h5", 8, 1, o);
    for (int i = 0; i < 200; ++i) w.append(fixture_image(i, 1, 8).data());
    w.commit();
  }
  corrupt_chunk(dir / "d.h5", "data8x8", 37);
  LevelStream s(dir / "d.h5", 8, 1, StreamLayout{4, 40});
  std::vector<uint8_t> buf(200 * 64);
  const std::string e = test::error_of([&] { s.read(0, 200, buf.data()); });
  EXPECT_NE(e.find("d.h5: cannot read data8x8"), std::string::npos) << e;
  // The stream stays usable for a caller that catches the error: the bad window is read again.
  EXPECT_NE(test::error_of([&] { s.read(0, 200, buf.data()); }).find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace gankit
