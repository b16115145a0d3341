#include "png_decode.h"

#include <libdeflate.h>
#include <lodepng.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace gankit {

namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// Bytes of the image data once inflated: per row a filter byte and its samples, per Adam7 pass
// when interlaced. The first guess of the inflate buffer: image data inflate to exactly this.
size_t raw_bytes(size_t w, size_t h, unsigned bits_per_pixel, bool interlaced) {
  auto rows = [&](size_t pw, size_t ph) { return pw && ph ? ph * (1 + (pw * bits_per_pixel + 7) / 8) : 0; };
  if (!interlaced) return rows(w, h);
  static constexpr size_t kPass[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                         {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};  // x0, y0, dx, dy
  size_t total = 0;
  for (const auto& p : kPass)
    total += rows(w > p[0] ? (w - p[0] + p[2] - 1) / p[2] : 0, h > p[1] ? (h - p[1] + p[3] - 1) / p[3] : 0);
  return total;
}

// lodepng's zlib hook: libdeflate inflates into a buffer of the expected size (the image data's;
// other compressed chunks, ICC profiles, may be larger and get a bigger buffer). libdeflate checks
// the stream and its Adler-32; any failure is a lodepng error, and so the OpenCV path.
unsigned inflate(unsigned char** out, size_t* out_size, const unsigned char* in, size_t in_size,
                 const LodePNGDecompressSettings* settings) {
  struct Free {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
  };
  thread_local std::unique_ptr<libdeflate_decompressor, Free> d(libdeflate_alloc_decompressor());
  if (!d) return 1;
  size_t capacity = *static_cast<const size_t*>(settings->custom_context);
  for (int attempt = 0; attempt < 8; ++attempt, capacity = capacity * 4 + 4096) {
    auto* buffer = static_cast<unsigned char*>(std::malloc(capacity ? capacity : 1));  // lodepng frees it
    if (!buffer) return 1;
    size_t got = 0;
    const libdeflate_result r = libdeflate_zlib_decompress(d.get(), in, in_size, buffer, capacity, &got);
    if (r == LIBDEFLATE_SUCCESS) {
      *out = buffer;
      *out_size = got;
      return 0;
    }
    std::free(buffer);
    if (r != LIBDEFLATE_INSUFFICIENT_SPACE) return 1;
  }
  return 1;
}

}  // namespace

std::optional<cv::Mat> decode_png_fast(std::span<const uint8_t> bytes, bool keep_gray) {
  // Signature and IHDR (always first): size, bit depth, colour type, interlace.
  if (bytes.size() < 33 || std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) != 0 ||
      std::memcmp(bytes.data() + 12, "IHDR", 4) != 0)
    return std::nullopt;
  const uint8_t* ihdr = bytes.data() + 16;
  const uint32_t w = be32(ihdr), h = be32(ihdr + 4);
  const unsigned depth = ihdr[8], color = ihdr[9], interlace = ihdr[12];
  static constexpr unsigned kSamples[7] = {1, 0, 3, 1, 2, 0, 4};  // per colour type 0, 2, 3, 4, 6
  if (depth > 8 || color > 6 || kSamples[color] == 0 || w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX)
    return std::nullopt;
  size_t expected = raw_bytes(w, h, depth * kSamples[color], interlace != 0);

  LodePNGState state;
  lodepng_state_init(&state);
  const bool gray = keep_gray && color == 0;
  state.info_raw.colortype = gray ? LCT_GREY : LCT_RGB;
  state.info_raw.bitdepth = 8;
  state.decoder.read_text_chunks = 0;
  state.decoder.zlibsettings.custom_zlib = inflate;
  state.decoder.zlibsettings.custom_context = &expected;
  unsigned char* pixels = nullptr;
  unsigned out_w = 0, out_h = 0;
  const unsigned error = lodepng_decode(&pixels, &out_w, &out_h, &state, bytes.data(), bytes.size());
  lodepng_state_cleanup(&state);
  std::unique_ptr<unsigned char, decltype(&std::free)> owned(pixels, &std::free);
  if (error || !pixels || out_w != w || out_h != h) return std::nullopt;
  cv::Mat out(static_cast<int>(h), static_cast<int>(w), gray ? CV_8UC1 : CV_8UC3);
  std::memcpy(out.data, pixels, out.total() * out.elemSize());
  return out;
}

}  // namespace gankit
