#include "image_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <set>
#include <utility>

#include "atomic_output.h"
#include "error.h"
#include "png_decode.h"

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

std::atomic<int64_t> g_max_pixels{kDefaultMaxImagePixels};

bool is_png(std::span<const uint8_t> b) { return b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0; }

// libpng prints "libpng error: ..." / "libpng warning: ..." lines on stderr itself (OpenCV gives
// it no handler), beside our one line that names the file. While any thread decodes a PNG,
// stderr (fd 2) points to /dev/null; the first decoder in redirects, the last out restores.
class QuietStderr {
 public:
  QuietStderr() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (depth_++ > 0) return;
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null >= 0) ::dup2(null, STDERR_FILENO);
    if (null >= 0) ::close(null);
  }
  ~QuietStderr() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--depth_ > 0) return;
    std::fflush(stderr);
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
    }
    saved_ = -1;
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  static inline std::mutex mutex_;
  static inline int depth_ = 0;
  static inline int saved_ = -1;
};

uint32_t be16(const uint8_t* p) { return (uint32_t(p[0]) << 8) | p[1]; }
uint32_t be32(const uint8_t* p) { return (be16(p) << 16) | be16(p + 2); }
uint32_t le16(const uint8_t* p) { return (uint32_t(p[1]) << 8) | p[0]; }
uint32_t le24(const uint8_t* p) { return (uint32_t(p[2]) << 16) | le16(p); }
uint32_t le32(const uint8_t* p) { return (uint32_t(p[3]) << 24) | le24(p); }

// The frame size of a JPEG: the first start-of-frame marker (SOF0..SOF15 but DHT, JPG, DAC).
cv::Size jpeg_size(std::span<const uint8_t> b) {
  size_t i = 2;
  while (i + 9 < b.size()) {
    if (b[i] != 0xff) return {};
    const uint8_t marker = b[i + 1];
    if (marker == 0xff) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {  // no length
      i += 2;
      continue;
    }
    const bool sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (sof) return {static_cast<int>(be16(&b[i + 7])), static_cast<int>(be16(&b[i + 5]))};
    if (marker == 0xda) return {};  // scan data before any frame header
    i += 2 + be16(&b[i + 2]);
  }
  return {};
}

}  // namespace

void set_max_image_pixels(int64_t pixels) {
  GANKIT_CHECK_USAGE(pixels > 0, GANKIT_SETTING("max_pixels") " {} must be positive", pixels);
  g_max_pixels = pixels;
}

int64_t max_image_pixels() { return g_max_pixels; }

cv::Size image_header_size(std::span<const uint8_t> b) {
  const uint8_t* p = b.data();
  if (b.size() >= 24 && is_png(b) && std::memcmp(p + 12, "IHDR", 4) == 0)
    return {static_cast<int>(std::min<uint32_t>(be32(p + 16), INT32_MAX)),
            static_cast<int>(std::min<uint32_t>(be32(p + 20), INT32_MAX))};
  if (is_jpeg(b)) return jpeg_size(b);
  if (b.size() >= 30 && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0) {
    if (std::memcmp(p + 12, "VP8 ", 4) == 0)
      return {static_cast<int>(le16(p + 26) & 0x3fff), static_cast<int>(le16(p + 28) & 0x3fff)};
    if (std::memcmp(p + 12, "VP8L", 4) == 0 && p[20] == 0x2f) {
      const uint32_t bits = le32(p + 21);
      return {static_cast<int>((bits & 0x3fff) + 1), static_cast<int>(((bits >> 14) & 0x3fff) + 1)};
    }
    if (std::memcmp(p + 12, "VP8X", 4) == 0)
      return {static_cast<int>(le24(p + 24) + 1), static_cast<int>(le24(p + 27) + 1)};
    return {};
  }
  if (b.size() >= 26 && p[0] == 'B' && p[1] == 'M') {
    const auto w = static_cast<int32_t>(le32(p + 18)), h = static_cast<int32_t>(le32(p + 22));
    return {w == INT32_MIN ? INT32_MAX : std::abs(w), h == INT32_MIN ? INT32_MAX : std::abs(h)};
  }
  return {};
}

std::vector<uint8_t> read_file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::error_code ec;
  GANKIT_CHECK_DATA(in.good(), "cannot open {}: {}", path.string(),
                    fs::exists(path)                               ? "permission denied or not a regular file"
                    : fs::is_symlink(fs::symlink_status(path, ec)) ? "dangling symbolic link (its target is missing)"
                                                                   : "no such file");
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
  const cv::Size size = image_header_size(bytes);
  const int64_t pixels = static_cast<int64_t>(size.width) * size.height;
  GANKIT_CHECK_DATA(pixels <= max_image_pixels(),
                    "cannot decode {}: {}x{} is {} pixels, over the limit of {} (" GANKIT_SETTING("max_pixels") ")",
                    name, size.width, size.height, pixels, max_image_pixels());
  if (is_png(bytes))
    if (auto fast = decode_png_fast(bytes, mode == ColorMode::Keep)) return std::move(*fast);
  cv::Mat raw;
  try {
    cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
    std::optional<QuietStderr> quiet;
    if (is_png(bytes)) quiet.emplace();
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
    case 3:
      cv::cvtColor(raw, out, cv::COLOR_BGR2RGB);
      return out;
    case 4:
      cv::cvtColor(raw, out, cv::COLOR_BGRA2RGB);
      return out;
    default:
      fail(ErrorKind::Data, fmt::format("cannot decode {}: {} channels", name, raw.channels()));
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

namespace {

// The entries of one folder, sorted (the order of a listing never depends on the filesystem).
std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
  GANKIT_CHECK_DATA(!ec, "cannot list folder {}: {}", dir.string(), ec.message());
  std::sort(entries.begin(), entries.end());
  return entries;
}

// Adds the images of `dir` (and, when recursive, of its subfolders, following links) to
// `files`. A folder is listed once, however many links lead to it: a link back up the tree
// (a loop) or to a sibling adds nothing twice.
void collect_images(const fs::path& dir, bool recursive, std::set<std::pair<dev_t, ino_t>>& visited,
                    std::vector<fs::path>& files) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !visited.insert({st.st_dev, st.st_ino}).second) return;
  for (const fs::path& p : sorted_entries(dir)) {
    std::error_code ec;
    const fs::file_status s = fs::status(p, ec);  // follows links
    if (fs::is_directory(s)) {
      if (recursive) collect_images(p, recursive, visited, files);
    } else if (has_image_extension(p) && (fs::is_regular_file(s) || fs::is_symlink(fs::symlink_status(p, ec)))) {
      files.push_back(p);  // a dangling link is listed: reading it fails by name, and --skip-bad counts it
    }
  }
}

}  // namespace

std::vector<fs::path> list_images(const fs::path& dir, bool recursive) {
  GANKIT_CHECK_DATA(fs::exists(dir), "{} does not exist", dir.string());
  GANKIT_CHECK_DATA(fs::is_directory(dir), "{} is not a folder", dir.string());
  std::vector<fs::path> files;
  std::set<std::pair<dev_t, ino_t>> visited;
  collect_images(dir, recursive, visited, files);
  std::sort(files.begin(), files.end());
  return files;
}

// Both through OpenCV's vectorised split / merge, over plane headers on the CHW bytes: metrics
// convert every image of every pass, so these run billions of bytes.
void mat_to_chw(const cv::Mat& img, uint8_t* dst) {
  const int c = img.channels(), h = img.rows, w = img.cols;
  const size_t plane = static_cast<size_t>(h) * static_cast<size_t>(w);
  std::vector<cv::Mat> planes;
  for (int ch = 0; ch < c; ++ch) planes.emplace_back(h, w, CV_8U, dst + static_cast<size_t>(ch) * plane);
  cv::split(img, planes.data());  // writes into the planes' memory: their size and type match
}

cv::Mat chw_to_mat(const uint8_t* src, int c, int h, int w) {
  const size_t plane = static_cast<size_t>(h) * static_cast<size_t>(w);
  std::vector<cv::Mat> planes;
  for (int ch = 0; ch < c; ++ch)
    planes.emplace_back(h, w, CV_8U, const_cast<uint8_t*>(src) + static_cast<size_t>(ch) * plane);
  cv::Mat img;
  cv::merge(planes, img);
  return img;
}

}  // namespace gankit
