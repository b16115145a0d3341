// Image decoding, encoding and folder listing (OpenCV codecs; PNGs of up to 8 bits per sample are
// decoded by lodepng over libdeflate instead, 1.5x faster with the same pixels: png_decode.h).
//
// Decoded images are cv::Mat, HWC, CV_8U, in RGB order (OpenCV's BGR is converted here, once)
// with 3 channels, or 1 channel when ColorMode::Keep and the file is grayscale. 16-bit images
// are scaled to 8 bits; alpha is dropped (composited on nothing, as PIL's convert('RGB') does).
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <vector>

namespace gankit {

enum class ColorMode { Rgb, Keep };

// The largest image (width x height) decode_image() accepts, checked from the file's header
// before any pixel is decoded, so a small "decompression bomb" (a 20000x20000 PNG of a few
// hundred KB) costs nothing. Default kDefaultMaxImagePixels (Pillow's own limit, 2 x 89,478,485);
// the tools' --max-pixels sets it. Process-wide.
constexpr int64_t kDefaultMaxImagePixels = 178956970;
void set_max_image_pixels(int64_t pixels);
int64_t max_image_pixels();

// Width and height from the header of a PNG, JPEG, WebP or BMP file; {0, 0} when the format is
// another or the header is cut short.
cv::Size image_header_size(std::span<const uint8_t> bytes);

// Decodes encoded bytes (png, jpeg, webp, bmp, ...). `name` is used in error messages.
// Throws Error(Data) "cannot decode NAME: ..." for empty, corrupt or truncated data, and for an
// image over max_image_pixels().
cv::Mat decode_image(std::span<const uint8_t> bytes, const std::string& name, ColorMode mode = ColorMode::Rgb);
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);
cv::Mat read_image(const std::filesystem::path& path, ColorMode mode = ColorMode::Rgb);

// Writes an RGB or grayscale HWC image as PNG (any OpenCV-supported extension works).
void write_image(const std::filesystem::path& path, const cv::Mat& rgb);

// Image files (png, jpg, jpeg, webp, bmp; case-insensitive) under `dir`, sorted by path so the
// order never depends on the filesystem. Throws Error(Data) if `dir` is not a folder.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir, bool recursive);
bool has_image_extension(const std::filesystem::path& path);
// True for lossy codecs (jpeg, webp by default): worth a note when used as GAN data.
bool is_lossy_format(const std::filesystem::path& path);

// HWC RGB/gray Mat <-> CHW bytes.
void mat_to_chw(const cv::Mat& img, uint8_t* dst);
cv::Mat chw_to_mat(const uint8_t* src, int c, int h, int w);

}  // namespace gankit
