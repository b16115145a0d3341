// The fast PNG path (lib/png_decode.h) against OpenCV's decoder on every colour type and bit depth
// up to 8, palettes and transparency keys, Adam7 interlacing at odd sizes, and compressed text
// chunks: the same pixels (RGB, alpha dropped; grey kept on request). 16-bit and damaged files are
// left to OpenCV, whose verdict stands.
#include <gtest/gtest.h>
#include <lodepng.h>

#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "image_io.h"
#include "png_decode.h"
#include "test_util.h"

namespace gankit {
namespace {

struct Case {
  const char* name;
  LodePNGColorType type;
  unsigned depth;
  int w, h;
  bool interlace = false, key = false, text = false;
};

// A PNG of `c` with random samples (palette: 200 colours, the first 50 translucent).
std::vector<uint8_t> encode(const Case& c, uint32_t seed) {
  LodePNGState s;
  lodepng_state_init(&s);
  s.encoder.auto_convert = 0;
  s.info_raw.colortype = s.info_png.color.colortype = c.type;
  s.info_raw.bitdepth = s.info_png.color.bitdepth = c.depth;
  s.info_png.interlace_method = c.interlace ? 1 : 0;
  std::mt19937 rng(seed);
  if (c.type == LCT_PALETTE) {
    const unsigned colours = std::min(200u, 1u << c.depth);
    for (unsigned i = 0; i < colours; ++i) {
      const auto r = uint8_t(rng()), g = uint8_t(rng()), b = uint8_t(rng()), a = uint8_t(i < 50 ? i * 5 : 255);
      lodepng_palette_add(&s.info_png.color, r, g, b, a);
      lodepng_palette_add(&s.info_raw, r, g, b, a);
    }
  }
  if (c.key) {
    s.info_png.color.key_defined = s.info_raw.key_defined = 1;
    s.info_png.color.key_r = s.info_raw.key_r = 3;
    s.info_png.color.key_g = s.info_raw.key_g = 3;
    s.info_png.color.key_b = s.info_raw.key_b = 3;
  }
  if (c.text) {
    s.encoder.text_compression = 1;  // zTXt
    lodepng_add_text(&s.info_png, "Comment", std::string(5000, 'x').c_str());
  }
  const size_t bits = size_t(c.w) * c.h * lodepng_get_bpp(&s.info_raw);
  std::vector<uint8_t> raw((bits + 7) / 8);
  // Any bits are valid samples, but 8-bit palette indices must stay below the 200 colours
  // (at 1, 2 and 4 bits the palette has all 2^depth entries).
  for (auto& v : raw) v = uint8_t(c.type == LCT_PALETTE && c.depth == 8 ? rng() % 200 : rng());
  unsigned char* out = nullptr;
  size_t size = 0;
  const unsigned error = lodepng_encode(&out, &size, raw.data(), c.w, c.h, &s);
  lodepng_state_cleanup(&s);
  EXPECT_EQ(error, 0u) << c.name << ": " << lodepng_error_text(error);
  std::vector<uint8_t> png(out, out + size);
  std::free(out);
  return png;
}

// What OpenCV gives, converted as decode_image converts it.
cv::Mat opencv_reference(const std::vector<uint8_t>& png, bool keep_gray) {
  cv::Mat raw = cv::imdecode(png, cv::IMREAD_UNCHANGED), out;
  if (raw.channels() == 1) {
    if (keep_gray) return raw;
    cv::cvtColor(raw, out, cv::COLOR_GRAY2RGB);
  } else {
    cv::cvtColor(raw, out, raw.channels() == 3 ? cv::COLOR_BGR2RGB : cv::COLOR_BGRA2RGB);
  }
  return out;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(PngDecode, SamePixelsAsOpenCvForEveryColourTypeUpTo8Bits) {
  const std::vector<Case> cases = {
      {"grey 8", LCT_GREY, 8, 40, 30},
      {"grey 1", LCT_GREY, 1, 37, 11},
      {"grey 2", LCT_GREY, 2, 37, 11},
      {"grey 4", LCT_GREY, 4, 37, 11},
      {"grey 8 key", LCT_GREY, 8, 20, 20, false, true},
      {"grey+alpha 8", LCT_GREY_ALPHA, 8, 33, 17},
      {"rgb 8", LCT_RGB, 8, 64, 48},
      {"rgb 8 key", LCT_RGB, 8, 16, 16, false, true},
      {"rgba 8", LCT_RGBA, 8, 31, 29},
      {"palette 8", LCT_PALETTE, 8, 50, 40},
      {"palette 4", LCT_PALETTE, 4, 21, 9},
      {"palette 1", LCT_PALETTE, 1, 9, 21},
      {"rgb 8 interlaced", LCT_RGB, 8, 13, 7, true},
      {"grey 2 interlaced", LCT_GREY, 2, 3, 5, true},
      {"rgba 8 interlaced 1x1", LCT_RGBA, 8, 1, 1, true},
      {"rgb 8 with zTXt", LCT_RGB, 8, 24, 24, false, false, true},
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    const std::vector<uint8_t> png = encode(c, seed++);
    for (bool keep : {false, true}) {
      const std::optional<cv::Mat> fast = decode_png_fast(png, keep);
      ASSERT_TRUE(fast.has_value()) << c.name;
      const cv::Mat ref = opencv_reference(png, keep);
      EXPECT_TRUE(same(*fast, ref)) << c.name << (keep ? ", grey kept" : "");
      EXPECT_EQ(fast->channels(), keep && c.type == LCT_GREY ? 1 : 3) << c.name;
      EXPECT_TRUE(same(decode_image(png, "x.png", keep ? ColorMode::Keep : ColorMode::Rgb), ref)) << c.name;
    }
  }
}

TEST(PngDecode, Leaves16BitAndDamagedFilesToOpenCv) {
  // 16 bits: OpenCV's path, which scales to 8 bits (v / 257, rounded).
  cv::Mat wide(9, 7, CV_16UC3);
  cv::randu(wide, 0, 65536);
  std::vector<uint8_t> png;
  ASSERT_TRUE(cv::imencode(".png", wide, png));
  EXPECT_FALSE(decode_png_fast(png, false).has_value());
  cv::Mat expected;
  wide.convertTo(expected, CV_8U, 1.0 / 257.0);
  cv::cvtColor(expected, expected, cv::COLOR_BGR2RGB);
  EXPECT_TRUE(same(decode_image(png, "wide.png"), expected));

  // A flipped bit in the image data (the chunk's CRC no longer matches), a cut file, no IHDR.
  const std::vector<uint8_t> good = encode({"rgb", LCT_RGB, 8, 32, 32}, 7);
  ASSERT_TRUE(decode_png_fast(good, false).has_value());
  std::vector<uint8_t> flipped = good;
  flipped[flipped.size() - 30] ^= 0x10;
  EXPECT_FALSE(decode_png_fast(flipped, false).has_value());
  const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  EXPECT_FALSE(decode_png_fast(cut, false).has_value());
  EXPECT_NE(test::error_of([&] { decode_image(cut, "cut.png"); }).find("cannot decode cut.png"), std::string::npos);
  EXPECT_FALSE(decode_png_fast(std::vector<uint8_t>(good.begin(), good.begin() + 20), false).has_value());
}

}  // namespace
}  // namespace gankit
