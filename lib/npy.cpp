#include "npy.h"

#include <zip.h>

#include <algorithm>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <sstream>

#include "atomic_output.h"
#include "error.h"
#include "image_io.h"
#include "spill_file.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

// The largest image side a header may declare (larger ones are not images of a GAN dataset,
// and the limit keeps every size product far from overflowing).
constexpr int64_t kMaxSide = 65536;

// What the header of a .npy says about its image array.
struct NpyLayout {
  int64_t n = 0, h = 0, w = 0, c = 0;  // c: channels stored (4 for RGBA)
  bool nhwc = true;
  size_t data_offset = 0;
  int out_channels() const { return c == 4 ? 3 : static_cast<int>(c); }
  size_t image_bytes() const { return static_cast<size_t>(h) * static_cast<size_t>(w) * static_cast<size_t>(c); }
  size_t data_bytes() const { return static_cast<size_t>(n) * image_bytes(); }  // checked by the parser
};

NpyLayout parse_npy_header(const std::string& b, const std::string& name) {
  GANKIT_CHECK_DATA(b.size() >= 10 && b.compare(0, 6, "\x93NUMPY") == 0, "{}: not a .npy array (bad magic)", name);
  const int major = static_cast<uint8_t>(b[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(b[8]) | (static_cast<uint8_t>(b[9]) << 8);
    offset = 10;
  } else {
    GANKIT_CHECK_DATA(b.size() >= 12, "{}: truncated .npy header", name);
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<uint8_t>(b[8 + i])) << (8 * i);
    offset = 12;
  }
  GANKIT_CHECK_DATA(offset + header_len <= b.size(), "{}: truncated .npy header", name);
  const std::string header = b.substr(offset, header_len);
  std::smatch m;
  GANKIT_CHECK_DATA(std::regex_search(header, m, std::regex("'descr':\\s*'([^']*)'")), "{}: .npy header has no descr",
                    name);
  const std::string descr = m[1];
  GANKIT_CHECK_DATA(descr == "|u1" || descr == "<u1" || descr == ">u1",
                    "{}: array dtype is {}, expected uint8 images (|u1)", name, descr);
  GANKIT_CHECK_DATA(std::regex_search(header, m, std::regex("'fortran_order':\\s*(True|False)")),
                    "{}: .npy header has no fortran_order", name);
  GANKIT_CHECK_DATA(m[1] == "False", "{}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)",
                    name);
  GANKIT_CHECK_DATA(std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")),
                    "{}: .npy header has no shape", name);
  const std::string shape_str = "(" + std::string(m[1]) + ")";
  std::vector<int64_t> shape;
  {
    std::stringstream ss(m[1]);
    std::string tok;
    while (std::getline(ss, tok, ',')) {
      const size_t first = tok.find_first_not_of(" ");
      if (first == std::string::npos) continue;
      const size_t last = tok.find_last_not_of(" ");
      const std::string digits = tok.substr(first, last - first + 1);
      // Sizes come from the file: digits only (no sign), and small enough to multiply safely.
      GANKIT_CHECK_DATA(
          !digits.empty() && digits.size() <= 15 && digits.find_first_not_of("0123456789") == std::string::npos,
          "{}: array shape {} has a size that is not a non-negative integer below 10^15", name, shape_str);
      shape.push_back(std::stoll(digits));
    }
  }
  GANKIT_CHECK_DATA(shape.size() == 3 || shape.size() == 4,
                    "{}: array shape {} is not (N, H, W), (N, H, W, C) or (N, C, H, W)", name, shape_str);
  NpyLayout l;
  l.n = shape[0];
  if (shape.size() == 3) {
    l.h = shape[1], l.w = shape[2], l.c = 1;
  } else if (shape[3] == 1 || shape[3] == 3 || shape[3] == 4) {
    l.h = shape[1], l.w = shape[2], l.c = shape[3];
  } else if ((shape[1] == 1 || shape[1] == 3) && shape[2] > 4 && shape[3] > 4) {
    l.nhwc = false;
    l.c = shape[1], l.h = shape[2], l.w = shape[3];
  } else {
    fail(ErrorKind::Data, fmt::format("{}: array shape {} has no channel axis of size 1, 3 or 4", name, shape_str));
  }
  GANKIT_CHECK_DATA(l.h > 0 && l.w > 0 && l.h <= kMaxSide && l.w <= kMaxSide,
                    "{}: array shape {}: images of {}x{} (each side must be 1..{})", name, shape_str, l.w, l.h,
                    kMaxSide);
  size_t total = 0;
  GANKIT_CHECK_DATA(
      !__builtin_mul_overflow(static_cast<size_t>(l.n), l.image_bytes(), &total) && total <= (size_t{1} << 50),
      "{}: array shape {} is too large ({} images of {} bytes)", name, shape_str, l.n, l.image_bytes());
  l.data_offset = offset + header_len;
  return l;
}

// One stored H x W x c image (c = 3, or 4 with alpha dropped) into 3 planes at dst.
void nhwc_to_planes(const uint8_t* s, int h, int w, int c, uint8_t* dst) {
  const cv::Mat stored(h, w, CV_8UC(c), const_cast<uint8_t*>(s));
  if (c == 4) {
    thread_local cv::Mat rgb;
    cv::cvtColor(stored, rgb, cv::COLOR_RGBA2RGB);
    mat_to_chw(rgb, dst);
  } else {
    mat_to_chw(stored, dst);
  }
}

// Converts `count` stored images at `src` into batch images [first, first + count).
void convert_images(const NpyLayout& l, const uint8_t* src, int64_t count, ImageBatch& batch, int64_t first) {
  const size_t plane = static_cast<size_t>(l.h * l.w);
  const int out_c = l.out_channels();
  // Images in parallel: the NHWC -> CHW transposition is a metric's serial step otherwise.
  const bool parallel = count * static_cast<int64_t>(l.image_bytes()) > (1 << 20);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t i = 0; i < count; ++i) {
    uint8_t* dst = batch.image(first + i);
    const uint8_t* s = src + static_cast<size_t>(i) * l.image_bytes();
    if (l.nhwc && l.c > 1)
      nhwc_to_planes(s, static_cast<int>(l.h), static_cast<int>(l.w), static_cast<int>(l.c), dst);
    else
      std::copy(s, s + plane * out_c, dst);
  }
}

}  // namespace

ImageBatch parse_npy(const std::string& b, const std::string& name) {
  const NpyLayout l = parse_npy_header(b, name);
  const size_t need = l.data_bytes();
  GANKIT_CHECK_DATA(b.size() - l.data_offset >= need, "{}: truncated .npy data ({} bytes, {} images need {})", name,
                    b.size() - l.data_offset, l.n, need);
  ImageBatch batch(l.n, l.out_channels(), static_cast<int>(l.h), static_cast<int>(l.w));
  convert_images(l, reinterpret_cast<const uint8_t*>(b.data() + l.data_offset), l.n, batch, 0);
  return batch;
}

NpyReader::NpyReader(const fs::path& path) : path_(path), in_(path, std::ios::binary) {
  GANKIT_CHECK_DATA(in_.good(), "cannot open {}", path.string());
  input_ = InputFile(path);
  // The header fits in the first 64 KiB.
  std::string head(65536, '\0');
  in_.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in_.gcount()));
  in_.clear();
  const NpyLayout l = parse_npy_header(head, path.string());
  const auto file_size = fs::file_size(path);
  const size_t need = l.data_bytes();
  GANKIT_CHECK_DATA(file_size >= l.data_offset + need, "{}: truncated .npy data ({} bytes, {} images need {})",
                    path.string(), file_size - l.data_offset, l.n, need);
  n_ = l.n;
  c_ = static_cast<int>(l.c);
  h_ = static_cast<int>(l.h);
  w_ = static_cast<int>(l.w);
  nhwc_ = l.nhwc;
  data_offset_ = l.data_offset;
}

void NpyReader::read(int64_t start, int64_t n, ImageBatch& out, int64_t first) {
  GANKIT_CHECK(start >= 0 && n >= 0 && start + n <= n_, Internal, "{}: images [{}, {}) out of range", path_.string(),
               start, start + n);
  NpyLayout l;
  l.n = n_, l.h = h_, l.w = w_, l.c = c_, l.nhwc = nhwc_, l.data_offset = data_offset_;
  in_.seekg(static_cast<std::streamoff>(data_offset_ + static_cast<size_t>(start) * l.image_bytes()));
  const int64_t chunk = std::max<int64_t>(1, (16 << 20) / static_cast<int64_t>(std::max<size_t>(l.image_bytes(), 1)));
  buffer_.resize(static_cast<size_t>(std::min(chunk, std::max<int64_t>(n, 1))) * l.image_bytes());
  for (int64_t i = 0; i < n; i += chunk) {
    const int64_t k = std::min(chunk, n - i);
    in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(k * l.image_bytes()));
    GANKIT_CHECK_DATA(in_.good(), "cannot read {}", path_.string());
    convert_images(l, buffer_.data(), k, out, first + i);
  }
}

ImageBatch load_npy(const fs::path& path) {
  NpyReader reader(path);
  ImageBatch batch(reader.count(), reader.channels(), reader.height(), reader.width());
  reader.read(0, reader.count(), batch);
  return batch;
}

namespace {

// One member of a .npz archive, opened for reading after the checks every reader needs: which
// member (`key`, else the only one, else images/x/arr_0), and sizes that the archive's bytes can
// really hold.
struct NpzMember {
  zip_t* z = nullptr;
  zip_file_t* f = nullptr;
  zip_stat_t st{};
  std::string name;  // ARCHIVE:MEMBER, for messages
  NpzMember(const fs::path& path, const std::string& key);
  ~NpzMember() {
    if (f) zip_fclose(f);
    if (z) zip_discard(z);
  }
  NpzMember(const NpzMember&) = delete;
  NpzMember& operator=(const NpzMember&) = delete;
  // Reads the member's .npy header into `head` (with the data that follows it in the first
  // 64 KiB) and checks that the member holds the data the header promises.
  NpyLayout header(std::string& head) {
    head.assign(static_cast<size_t>(std::min<uint64_t>(st.size, 65536)), '\0');
    read_exactly(head.data(), head.size());
    const NpyLayout l = parse_npy_header(head, name);
    GANKIT_CHECK_DATA(st.size >= l.data_offset + l.data_bytes(),
                      "{}: truncated .npy data ({} bytes, {} images need {})", name, st.size - l.data_offset, l.n,
                      l.data_bytes());
    return l;
  }
  void read_exactly(char* dst, uint64_t n) {
    uint64_t got = 0;
    while (got < n) {
      const zip_int64_t k = zip_fread(f, dst + got, n - got);
      GANKIT_CHECK_DATA(k > 0, "{}: member is corrupt or truncated ({} of {} bytes read)", name, got, n);
      got += static_cast<uint64_t>(k);
    }
  }
};

NpzMember::NpzMember(const fs::path& path, const std::string& key) {
  int err = 0;
  z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  GANKIT_CHECK_DATA(z != nullptr, "cannot open {}: not a .npz (zip) archive", path.string());
  note_input(path);
  const zip_int64_t entries = zip_get_num_entries(z, 0);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < entries; ++i) names.emplace_back(zip_get_name(z, i, 0));
  std::string pick;
  if (!key.empty()) {
    pick = key + ".npy";
  } else if (names.size() == 1) {
    pick = names[0];
  } else {
    for (const char* k : {"images.npy", "x.npy", "arr_0.npy"})
      if (std::find(names.begin(), names.end(), k) != names.end()) {
        pick = k;
        break;
      }
  }
  std::string listing;
  for (const auto& nm : names) listing += (listing.empty() ? "" : ", ") + nm;
  GANKIT_CHECK_DATA(!pick.empty() && std::find(names.begin(), names.end(), pick) != names.end(),
                    "{}: cannot choose the image array among [{}]", path.string(), listing);
  zip_stat_init(&st);
  GANKIT_CHECK_DATA(zip_stat(z, pick.c_str(), 0, &st) == 0, "{}: cannot stat {}", path.string(), pick);
  name = path.string() + ":" + pick;
  // The member's sizes come from the archive: check them against the bytes really there (deflate
  // expands at most ~1032x) before reading.
  const uint64_t archive_bytes = fs::file_size(path);
  GANKIT_CHECK_DATA((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size <= archive_bytes &&
                        st.size <= (st.comp_method == ZIP_CM_STORE ? st.comp_size : st.comp_size * 1032 + 1024),
                    "{}: corrupt zip entry (it claims {} bytes from {} compressed bytes in a {}-byte archive)", name,
                    st.size, st.comp_size, archive_bytes);
  f = zip_fopen(z, pick.c_str(), 0);
  GANKIT_CHECK_DATA(f != nullptr, "{}: cannot open member {}", path.string(), pick);
}

}  // namespace

uint64_t npz_member_bytes(const fs::path& path, const std::string& key) { return NpzMember(path, key).st.size; }

void extract_npz_member(const fs::path& path, const std::string& key, SpillFile& file) {
  NpzMember m(path, key);
  std::string chunk;
  const NpyLayout l = m.header(chunk);  // a bad member fails here, not when streamed
  uint64_t written = 0;
  const uint64_t total = l.data_offset + l.data_bytes();
  while (written < total) {
    if (chunk.empty()) {
      chunk.resize(static_cast<size_t>(std::min<uint64_t>(total - written, 16u << 20)));
      m.read_exactly(chunk.data(), chunk.size());
    }
    const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), total - written));
    file.write(chunk.data(), n, static_cast<int64_t>(written), m.name);
    written += n;
    chunk.clear();
  }
}

ImageBatch load_npz(const fs::path& path, const std::string& key) {
  NpzMember m(path, key);
  std::string head;
  const NpyLayout l = m.header(head);
  ImageBatch batch(l.n, l.out_channels(), static_cast<int>(l.h), static_cast<int>(l.w));
  // The images that arrived with the header, then the rest in chunks of whole images.
  const size_t image = l.image_bytes();
  std::string chunk = head.substr(l.data_offset);
  int64_t done = 0;
  const size_t chunk_images = std::max<size_t>(1, (16u << 20) / image);
  while (done < l.n) {
    const int64_t want = std::min<int64_t>(l.n - done, static_cast<int64_t>(chunk_images));
    const size_t have = chunk.size();
    if (have < static_cast<size_t>(want) * image) {
      chunk.resize(static_cast<size_t>(want) * image);
      m.read_exactly(chunk.data() + have, chunk.size() - have);
    }
    convert_images(l, reinterpret_cast<const uint8_t*>(chunk.data()), want, batch, done);
    done += want;
    chunk.erase(0, static_cast<size_t>(want) * image);
  }
  return batch;
}

NpyWriter::NpyWriter(const fs::path& path, int64_t n, int c, int h, int w, bool overwrite)
    : path_(path), output_(path, overwrite), n_(n), c_(c), h_(h), w_(w) {
  std::string header =
      fmt::format("{{'descr': '|u1', 'fortran_order': False, 'shape': ({}, {}, {}, {}), }}", n, h, w, c);
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  out_.open(output_.temp_path(), std::ios::binary);
  GANKIT_CHECK_DATA(out_.good(), "cannot write {}", path.string());
  out_.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  out_.put(static_cast<char>(len & 0xff));
  out_.put(static_cast<char>(len >> 8));
  out_ << header;
}

void NpyWriter::append(const ImageBatch& batch) {
  GANKIT_CHECK(batch.c == c_ && batch.h == h_ && batch.w == w_ && written_ + batch.n <= n_, Internal,
               "{}: appending {} images of {}x{}x{} to {} of {} images of {}x{}x{}", path_.string(), batch.n, batch.c,
               batch.h, batch.w, written_, n_, c_, h_, w_);
  for (int64_t i = 0; i < batch.n; ++i) {
    const cv::Mat hwc = chw_to_mat(batch.image(i), c_, h_, w_);  // continuous: its bytes are the image
    out_.write(reinterpret_cast<const char*>(hwc.data), static_cast<std::streamsize>(hwc.total() * hwc.elemSize()));
  }
  written_ += batch.n;
}

void NpyWriter::commit() {
  GANKIT_CHECK(written_ == n_, Internal, "{}: {} of {} images written", path_.string(), written_, n_);
  out_.close();
  GANKIT_CHECK_DATA(!out_.fail(), "cannot write {}", path_.string());
  output_.commit();
}

void save_npy_nhwc(const fs::path& path, const ImageBatch& batch) {
  NpyWriter writer(path, batch.n, batch.c, batch.h, batch.w, true);
  writer.append(batch);
  writer.commit();
}

}  // namespace gankit
