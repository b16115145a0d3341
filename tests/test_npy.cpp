// numpy files (lib/npy.h).
#include <gtest/gtest.h>

#include "fixtures.h"
#include "hdf5_store.h"
#include "npy.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::TempDir;

TEST(Npy, RoundTripNhwcAndReadNchw) {
  TempDir dir;
  ImageBatch b = test::random_batch(3, 3, 5, 7);
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

// Every stored channel layout lands at the right (image, channel, y, x): RGBA with alpha dropped,
// RGB, and grey with and without its channel axis.
TEST(Npy, StoredChannelsLandInTheirPlanes) {
  auto value = [](int i, int ch, int y, int x) { return static_cast<uint8_t>(i * 61 + ch * 37 + y * 11 + x * 3); };
  const int n = 2, h = 5, w = 7;
  for (int c : {4, 3, 1, 0}) {  // 0: shape (N, H, W)
    const int stored = std::max(c, 1);
    std::string header =
        c == 0 ? fmt::format("{{'descr': '|u1', 'fortran_order': False, 'shape': ({}, {}, {}), }}", n, h, w)
               : fmt::format("{{'descr': '|u1', 'fortran_order': False, 'shape': ({}, {}, {}, {}), }}", n, h, w, c);
    header += '\n';
    std::string data;
    for (int i = 0; i < n; ++i)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int ch = 0; ch < stored; ++ch) data += static_cast<char>(value(i, ch, y, x));
    const std::string file =
        std::string("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xff) + char(header.size() >> 8) + header + data;
    const ImageBatch b = parse_npy(file, "c.npy");
    ASSERT_EQ(b.c, c == 4 ? 3 : stored) << c;
    for (int i = 0; i < n; ++i)
      for (int ch = 0; ch < b.c; ++ch)
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            ASSERT_EQ(b.image(i)[(ch * h + y) * w + x], value(i, ch, y, x)) << c << " " << i << ch << y << x;
  }
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
  ImageBatch b = test::random_batch(2, 3, 4, 4), other = test::random_batch(3, 1, 8, 8);
  std::fill(other.data.begin(), other.data.end(), 7);
  save_npy_nhwc(dir / "m.npy", b);
  save_npy_nhwc(dir / "o.npy", other);
  const std::string member = test::read_bytes(dir / "m.npy"), other_member = test::read_bytes(dir / "o.npy");
  for (bool deflate : {false, true}) {
    const fs::path path = dir / (deflate ? "d.npz" : "s.npz");
    test::write_npz(path, {{"labels.npy", other_member}, {"images.npy", member}}, deflate);
    EXPECT_EQ(load_npz(path).data, b.data);  // "images" although it is not the first member
    const ImageBatch chosen = load_npz(path, "labels");
    EXPECT_EQ(chosen.n, 3);
    EXPECT_EQ(chosen.c, 1);
    EXPECT_EQ(chosen.data, other.data);
    EXPECT_NE(error_of([&] { load_npz(path, "nope"); }).find("cannot choose"), std::string::npos);
  }
}

}  // namespace
}  // namespace gankit
