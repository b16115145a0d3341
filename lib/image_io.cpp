#include "image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <fstream>

#include "atomic_output.h"
#include "error.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext;
}

// libjpeg decodes a truncated file without an error (it fills the rest with grey and warns), so
// a JPEG must end with its EOI marker (FF D9), allowing for trailing padding bytes.
bool jpeg_is_complete(std::span<const uint8_t> b) {
  size_t end = b.size();
  while (end > 2 && (b[end - 1] == 0x00 || b[end - 1] == 0x0a || b[end - 1] == 0x0d || b[end - 1] == 0x20)) --end;
  // Some writers append data after EOI (e.g. Samsung trailers): accept an EOI in the last 64 KiB.
  size_t lo = end > 65536 ? end - 65536 : 2;
  for (size_t i = end; i-- > lo;)
    if (b[i - 1] == 0xff && b[i] == 0xd9) return true;
  return false;
}

bool is_jpeg(std::span<const uint8_t> b) { return b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff; }

}  // namespace

std::vector<uint8_t> read_file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  GANKIT_CHECK_DATA(in.good(), "cannot open {}: {}", path.string(),
                    fs::exists(path) ? "permission denied or not a regular file" : "no such file");
  auto size = static_cast<std::streamsize>(in.tellg());
  std::vector<uint8_t> bytes(static_cast<size_t>(std::max<std::streamsize>(size, 0)));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  GANKIT_CHECK_DATA(in.good() || size == 0, "cannot read {}", path.string());
  return bytes;
}

cv::Mat decode_image(std::span<const uint8_t> bytes, const std::string& name, ColorMode mode) {
  GANKIT_CHECK_DATA(!bytes.empty(), "cannot decode {}: empty file", name);
  GANKIT_CHECK_DATA(!is_jpeg(bytes) || jpeg_is_complete(bytes), "cannot decode {}: truncated JPEG (no end marker)",
                    name);
  cv::Mat raw;
  try {
    cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
    raw = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    fail(ErrorKind::Data, fmt::format("cannot decode {}: {}", name, e.err));
  }
  GANKIT_CHECK_DATA(!raw.empty(), "cannot decode {}: corrupt, truncated or unsupported image data", name);
  if (raw.depth() == CV_16U) raw.convertTo(raw, CV_8U, 1.0 / 257.0);
  GANKIT_CHECK_DATA(raw.depth() == CV_8U, "cannot decode {}: unsupported pixel depth", name);
  cv::Mat out;
  switch (raw.channels()) {
    case 1:
      if (mode == ColorMode::Keep) return raw;
      cv::cvtColor(raw, out, cv::COLOR_GRAY2RGB);
      return out;
    case 3: cv::cvtColor(raw, out, cv::COLOR_BGR2RGB); return out;
    case 4: cv::cvtColor(raw, out, cv::COLOR_BGRA2RGB); return out;
    default: fail(ErrorKind::Data, fmt::format("cannot decode {}: {} channels", name, raw.channels()));
  }
}

cv::Mat read_image(const fs::path& path, ColorMode mode) {
  auto bytes = read_file_bytes(path);
  return decode_image(bytes, path.string(), mode);
}

void write_image(const fs::path& path, const cv::Mat& rgb) {
  cv::Mat bgr;
  if (rgb.channels() == 3)
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  else
    bgr = rgb;
  // Encoded in memory (the codec follows the final name's extension), then written under a
  // temporary name and renamed: an interrupted run never leaves a truncated image.
  std::vector<uint8_t> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(path.extension().string(), bgr, bytes);
  } catch (const cv::Exception& e) {
    ok = false;
  }
  GANKIT_CHECK_DATA(ok, "cannot write image {}: no encoder for its extension", path.string());
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool has_image_extension(const fs::path& path) {
  static const char* kExts[] = {".png", ".jpg", ".jpeg", ".webp", ".bmp"};
  std::string ext = lower_extension(path);
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

bool is_lossy_format(const fs::path& path) {
  std::string ext = lower_extension(path);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".webp";
}

std::vector<fs::path> list_images(const fs::path& dir, bool recursive) {
  GANKIT_CHECK_DATA(fs::exists(dir), "{} does not exist", dir.string());
  GANKIT_CHECK_DATA(fs::is_directory(dir), "{} is not a folder", dir.string());
  std::vector<fs::path> files;
  auto take = [&](const fs::directory_entry& e) {
    if (e.is_regular_file() && has_image_extension(e.path())) files.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) take(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) take(e);
  }
  std::sort(files.begin(), files.end());
  return files;
}

void mat_to_chw(const cv::Mat& img, uint8_t* dst) {
  const int c = img.channels(), h = img.rows, w = img.cols;
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = img.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) dst[(static_cast<size_t>(ch) * h + y) * w + x] = row[x * c + ch];
  }
}

cv::Mat chw_to_mat(const uint8_t* src, int c, int h, int w) {
  cv::Mat img(h, w, CV_8UC(c));
  for (int y = 0; y < h; ++y) {
    uint8_t* row = img.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) row[x * c + ch] = src[(static_cast<size_t>(ch) * h + y) * w + x];
  }
  return img;
}

}  // namespace gankit
