// SVHN cropped digits: train_32x32.mat / test_32x32.mat / extra_32x32.mat (MATLAB level 5, read
// with matio). X is uint8 32x32x3xN column-major, so pixel(n,c,h,w) = X[h + 32w + 1024c + 3072n];
// y is N x 1 with label 10 meaning digit 0. X is read in slabs of images: bounded memory even
// for extra (531131 images, 1.6 GB).
#include <matio.h>

#include <limits>

#include "atomic_output.h"
#include "error.h"
#include "image_source.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

constexpr int kSlab = 1024;

class SvhnSource : public ImageSource {
 public:
  explicit SvhnSource(std::vector<fs::path> files) : files_(std::move(files)) {
    for (const auto& f : files_) total_ += open_file(f, /*keep=*/false);
  }
  ~SvhnSource() override { close_file(); }
  std::string format() const override { return "svhn"; }
  int64_t count() const override { return total_; }
  bool has_labels() const override { return true; }
  std::vector<std::string> class_names() const override { return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; }

  bool next_batch(std::vector<SourceRecord>& out, size_t max) override {
    size_t produced = 0;
    while (produced < max) {
      if (mat_ == nullptr || pos_ >= n_) {
        close_file();
        if (file_ >= files_.size()) break;
        open_file(files_[file_++], /*keep=*/true);
        continue;
      }
      if (slab_pos_ >= slab_count_) read_slab();
      const uint8_t* x = slab_.data() + static_cast<size_t>(slab_pos_) * 3072;
      SourceRecord r;
      r.name = fmt::format("{}#{}", files_[file_ - 1].string(), pos_);
      const double yv = labels_[static_cast<size_t>(pos_)];
      GANKIT_CHECK_DATA(yv >= 1 && yv <= 10 && yv == static_cast<int>(yv), "{}: label {} is not 1..10", r.name, yv);
      r.label = static_cast<int64_t>(yv) % 10;
      r.image.create(32, 32, CV_8UC3);
      for (int h = 0; h < 32; ++h) {
        uint8_t* row = r.image.ptr<uint8_t>(h);
        for (int w = 0; w < 32; ++w)
          for (int c = 0; c < 3; ++c) row[3 * w + c] = x[h + 32 * w + 1024 * c];
      }
      out.push_back(std::move(r));
      ++produced;
      ++pos_;
      ++slab_pos_;
    }
    return produced > 0;
  }

 private:
  // Validates `f` and returns its image count; with keep, leaves it open for reading.
  int64_t open_file(const fs::path& f, bool keep) {
    GANKIT_CHECK_DATA(fs::exists(f), "SVHN file {} is missing", f.string());
    mat_t* mat = Mat_Open(f.c_str(), MAT_ACC_RDONLY);
    GANKIT_CHECK_DATA(mat != nullptr, "{} is not a MATLAB .mat file", f.string());
    note_input(f);
    matvar_t* x = Mat_VarReadInfo(mat, "X");
    matvar_t* y = Mat_VarReadInfo(mat, "y");
    auto cleanup = [&] {
      if (x) Mat_VarFree(x);
      if (y) Mat_VarFree(y);
      Mat_Close(mat);
    };
    if (x == nullptr || y == nullptr) {
      cleanup();
      fail(ErrorKind::Data,
           fmt::format("{} is not an SVHN cropped-digits file: it needs variables X and y", f.string()));
    }
    const bool x_ok =
        x->rank == 4 && x->dims[0] == 32 && x->dims[1] == 32 && x->dims[2] == 3 && x->class_type == MAT_C_UINT8;
    const int64_t n = x->rank == 4 ? static_cast<int64_t>(x->dims[3]) : -1;
    const bool y_ok = y->rank == 2 && static_cast<int64_t>(y->dims[0] * y->dims[1]) == n;
    if (!x_ok || !y_ok) {
      std::string xd;
      for (int i = 0; i < x->rank; ++i) {
        if (i) xd += 'x';
        xd += std::to_string(x->dims[i]);
      }
      cleanup();
      fail(ErrorKind::Data, fmt::format("{} is not an SVHN cropped-digits file: X is {} ({}), expected uint8 "
                                        "32x32x3xN with y of N labels",
                                        f.string(), xd, x_ok ? "labels mismatch" : "wrong shape or type"));
    }
    // The header's count against the bytes present (zlib expands at most ~1032x), before the
    // labels (8 bytes each) are allocated; reads address images with int.
    const uint64_t file_bytes = fs::file_size(f);
    const uint64_t can_hold = x->compression == MAT_COMPRESSION_NONE ? file_bytes : file_bytes * 1032;
    if (static_cast<uint64_t>(n) * 3072 > can_hold || n > std::numeric_limits<int>::max()) {
      cleanup();
      fail(ErrorKind::Data, fmt::format("{}: X claims {} images of 32x32x3 ({} bytes), more than its {} bytes can hold",
                                        f.string(), n, static_cast<uint64_t>(n) * 3072, file_bytes));
    }
    if (!keep) {
      cleanup();
      return n;
    }
    // Labels are small (N doubles): read them whole, converting whatever numeric class they have.
    Mat_VarFree(y);
    y = Mat_VarRead(mat, "y");
    if (y == nullptr) {
      cleanup();
      fail(ErrorKind::Data, fmt::format("{}: cannot read y", f.string()));
    }
    labels_.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) labels_[static_cast<size_t>(i)] = label_at(y, static_cast<size_t>(i));
    Mat_VarFree(y);
    mat_ = mat;
    x_ = x;
    n_ = n;
    pos_ = 0;
    slab_pos_ = slab_count_ = 0;
    return n;
  }

  static double label_at(const matvar_t* y, size_t i) {
    switch (y->data_type) {
      case MAT_T_DOUBLE:
        return static_cast<const double*>(y->data)[i];
      case MAT_T_SINGLE:
        return static_cast<const float*>(y->data)[i];
      case MAT_T_UINT8:
        return static_cast<const uint8_t*>(y->data)[i];
      case MAT_T_INT32:
        return static_cast<const int32_t*>(y->data)[i];
      case MAT_T_INT64:
        return static_cast<double>(static_cast<const int64_t*>(y->data)[i]);
      default:
        return -1;
    }
  }

  void read_slab() {
    slab_count_ = static_cast<int>(std::min<int64_t>(kSlab, n_ - pos_));
    slab_.resize(static_cast<size_t>(slab_count_) * 3072);
    int start[4] = {0, 0, 0, static_cast<int>(pos_)};
    int stride[4] = {1, 1, 1, 1};
    int edge[4] = {32, 32, 3, slab_count_};
    GANKIT_CHECK_DATA(Mat_VarReadData(mat_, x_, slab_.data(), start, stride, edge) == 0,
                      "{}: cannot read images {}..{} (file truncated or corrupt?)", files_[file_ - 1].string(), pos_,
                      pos_ + slab_count_);
    slab_pos_ = 0;
  }

  void close_file() {
    if (x_) Mat_VarFree(x_);
    if (mat_) Mat_Close(mat_);
    x_ = nullptr;
    mat_ = nullptr;
  }

  std::vector<fs::path> files_;
  int64_t total_ = 0;
  size_t file_ = 0;
  mat_t* mat_ = nullptr;
  matvar_t* x_ = nullptr;
  int64_t n_ = 0, pos_ = 0;
  std::vector<double> labels_;
  std::vector<uint8_t> slab_;
  int slab_pos_ = 0, slab_count_ = 0;
};

}  // namespace

std::unique_ptr<ImageSource> open_svhn(const fs::path& path, const std::string& split) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(path)) {
    files.push_back(path);
  } else {
    GANKIT_CHECK_USAGE(split == "train" || split == "test" || split == "extra" || split == "all",
                       GANKIT_SETTING("split") " {}: SVHN has train, test, extra or all", split);
    if (split == "train" || split == "all") files.push_back(path / "train_32x32.mat");
    if (split == "test" || split == "all") files.push_back(path / "test_32x32.mat");
    if (split == "extra" || split == "all") files.push_back(path / "extra_32x32.mat");
  }
  return std::make_unique<SvhnSource>(std::move(files));
}

}  // namespace gankit
