// MNIST / Fashion-MNIST IDX files, raw or gzip (zlib reads both transparently): images magic
// 0x00000803 (N, 28, 28), labels magic 0x00000801 (N). Images are zero-padded from 28x28 to
// 32x32 (the official ProGAN dataset_tool convention) and kept grayscale (C = 1).
#include <zlib.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "atomic_output.h"
#include "error.h"
#include "image_source.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

class GzFile {
 public:
  explicit GzFile(const fs::path& p) : path_(p), f_(gzopen(p.c_str(), "rb")) {
    GANKIT_CHECK_DATA(f_ != nullptr, "cannot open {}", p.string());
    note_input(p);
    gzbuffer(f_, 1 << 16);
  }
  ~GzFile() {
    if (f_) gzclose(f_);
  }
  void read(void* buf, size_t n, const char* what) {
    // In pieces: gzread counts in int, and a header's count may be anything up to 2^32.
    auto* p = static_cast<uint8_t*>(buf);
    for (size_t done = 0; done < n;) {
      const unsigned part = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
      const int got = gzread(f_, p + done, part);
      GANKIT_CHECK_DATA(got == static_cast<int>(part), "{}: truncated or corrupt IDX file while reading {}",
                        path_.string(), what);
      done += part;
    }
  }
  // Uncompressed files: the header's sizes can be checked against the bytes present.
  bool is_raw() { return gzdirect(f_) == 1; }
  uint32_t read_be32(const char* what) {
    uint8_t b[4];
    read(b, 4, what);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
  }

 private:
  fs::path path_;
  gzFile f_;
};

class IdxSource : public ImageSource {
 public:
  IdxSource(const fs::path& images, const fs::path& labels, bool fashion)
      : images_path_(images), images_(images), fashion_(fashion) {
    const uint32_t magic = images_.read_be32("the header");
    GANKIT_CHECK_DATA(magic == 0x00000803, "{}: wrong magic 0x{:08x}, expected 0x00000803 (IDX uint8 images)",
                      images.string(), magic);
    n_ = images_.read_be32("the header");
    rows_ = images_.read_be32("the header");
    cols_ = images_.read_be32("the header");
    GANKIT_CHECK_DATA(rows_ > 0 && cols_ > 0 && rows_ <= 4096 && cols_ <= 4096, "{}: bad image size {}x{}",
                      images.string(), cols_, rows_);
    if (images_.is_raw()) {
      const uint64_t need = 16 + uint64_t(n_) * rows_ * cols_, have = fs::file_size(images);
      GANKIT_CHECK_DATA(have >= need, "{}: the header says {} images of {}x{} ({} bytes) but the file holds {} bytes",
                        images.string(), n_, cols_, rows_, need, have);
    }
    if (fs::exists(labels)) {
      GzFile lf(labels);
      const uint32_t lmagic = lf.read_be32("the header");
      GANKIT_CHECK_DATA(lmagic == 0x00000801, "{}: wrong magic 0x{:08x}, expected 0x00000801 (IDX uint8 labels)",
                        labels.string(), lmagic);
      const uint32_t ln = lf.read_be32("the header");
      GANKIT_CHECK_DATA(ln == n_, "{} has {} labels but {} has {} images", labels.string(), ln, images.string(), n_);
      // Grown piece by piece so a header claiming 4 billion labels fails at the end of the file,
      // not after allocating 4 GB.
      for (uint32_t done = 0; done < n_;) {
        const uint32_t part = std::min<uint32_t>(n_ - done, 1u << 20);
        labels_.resize(size_t(done) + part);
        lf.read(labels_.data() + done, part, "the labels");
        done += part;
      }
      for (uint32_t i = 0; i < n_; ++i)
        GANKIT_CHECK_DATA(labels_[i] < 10, "{}: label {} at index {} is not 0..9", labels.string(), int(labels_[i]), i);
    }
  }
  std::string format() const override { return "idx"; }
  int64_t count() const override { return n_; }
  int channels() const override { return 1; }
  bool has_labels() const override { return !labels_.empty(); }
  std::vector<std::string> class_names() const override {
    if (fashion_)
      return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  }
  std::string preprocessing() const override {
    return rows_ == 28 && cols_ == 28 ? "zero-pad 28x28 to 32x32 (ProGAN dataset_tool)" : "";
  }

  bool next_batch(std::vector<SourceRecord>& out, size_t max) override {
    size_t produced = 0;
    std::vector<uint8_t> buf(static_cast<size_t>(rows_) * cols_);
    const bool pad = rows_ == 28 && cols_ == 28;
    while (produced < max && pos_ < n_) {
      SourceRecord r;
      r.name = fmt::format("{}#{}", images_path_.string(), pos_);
      images_.read(buf.data(), buf.size(), "the images");
      cv::Mat img(static_cast<int>(rows_), static_cast<int>(cols_), CV_8UC1, buf.data());
      if (pad)
        cv::copyMakeBorder(img, r.image, 2, 2, 2, 2, cv::BORDER_CONSTANT, cv::Scalar(0));
      else
        r.image = img.clone();
      if (!labels_.empty()) r.label = labels_[pos_];
      out.push_back(std::move(r));
      ++produced;
      ++pos_;
    }
    return produced > 0;
  }

 private:
  fs::path images_path_;
  GzFile images_;
  bool fashion_;
  uint32_t n_ = 0, rows_ = 0, cols_ = 0, pos_ = 0;
  std::vector<uint8_t> labels_;
};

fs::path first_existing(const fs::path& dir, const std::string& stem) {
  if (fs::exists(dir / stem)) return dir / stem;
  if (fs::exists(dir / (stem + ".gz"))) return dir / (stem + ".gz");
  return {};
}

}  // namespace

std::unique_ptr<ImageSource> open_idx(const fs::path& path, const std::string& split) {
  fs::path images, labels;
  if (fs::is_regular_file(path)) {
    images = path;
    std::string name = path.filename().string();
    auto at = name.find("images-idx3");
    if (at != std::string::npos) labels = path.parent_path() / name.replace(at, 11, "labels-idx1");
  } else {
    GANKIT_CHECK_USAGE(split == "train" || split == "test",
                       GANKIT_SETTING("split") " {}: IDX datasets have train or test", split);
    const std::string prefix = split == "train" ? "train" : "t10k";
    images = first_existing(path, prefix + "-images-idx3-ubyte");
    GANKIT_CHECK_DATA(!images.empty(), "{}: no {}-images-idx3-ubyte[.gz] for split {}", path.string(), prefix, split);
    labels = first_existing(path, prefix + "-labels-idx1-ubyte");
  }
  std::string lower = fs::absolute(path).string();
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool fashion = lower.find("fashion") != std::string::npos;
  return std::make_unique<IdxSource>(images, labels, fashion);
}

}  // namespace gankit
