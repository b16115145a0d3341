#include "image_set.h"

#include <cctype>
#include <mutex>
#include <opencv2/core.hpp>

#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "npy.h"
#include "parallel.h"
#include "spill_file.h"

namespace gankit {
namespace fs = std::filesystem;

ImageBatch to_rgb(ImageBatch b) {
  if (b.c == 3) return b;
  ImageBatch out(b.n, 3, b.h, b.w);
  const size_t plane = static_cast<size_t>(b.h) * b.w;
  for (int64_t i = 0; i < b.n; ++i)
    for (int ch = 0; ch < 3; ++ch) std::copy(b.image(i), b.image(i) + plane, out.image(i) + ch * plane);
  return out;
}

namespace {

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The image files of a folder set, in order, with the size every image must have.
struct FolderFiles {
  std::vector<fs::path> files;
  int h = 0, w = 0;
};

FolderFiles folder_files(const fs::path& dir, const ImageSetOptions& opt) {
  FolderFiles f;
  f.files = list_images(dir, opt.recursive);
  GANKIT_CHECK_DATA(!f.files.empty(), "{} contains no images (png, jpg, jpeg, webp, bmp){}", dir.string(),
                    opt.recursive ? "" : "; pass " GANKIT_SETTING("recursive") " to search subfolders");
  if (opt.limit >= 0 && static_cast<int64_t>(f.files.size()) > opt.limit)
    f.files.resize(static_cast<size_t>(opt.limit));
  const cv::Mat first = read_image(f.files[0], ColorMode::Rgb);
  f.h = first.rows;
  f.w = first.cols;
  return f;
}

// Decodes files [first, first + out.n) into `out` (RGB CHW) on OpenCV's thread pool; the first
// bad file in file order is reported.
void decode_files(const FolderFiles& f, int64_t first, ImageBatch& out, Progress& progress) {
  std::mutex progress_mutex;
  parallel_for_ordered(out.n, [&](int64_t k) {
    const fs::path& file = f.files[static_cast<size_t>(first + k)];
    cv::Mat img = read_image(file, ColorMode::Rgb);
    GANKIT_CHECK_DATA(img.rows == f.h && img.cols == f.w, "{} is {}x{} but {} is {}x{}: all images must have one size",
                      file.string(), img.cols, img.rows, f.files[0].string(), f.w, f.h);
    mat_to_chw(img, out.image(k));
    std::lock_guard<std::mutex> lock(progress_mutex);
    progress.add(1);
  });
}

ImageBatch load_folder(const fs::path& dir, const ImageSetOptions& opt) {
  const FolderFiles f = folder_files(dir, opt);
  ImageBatch batch(static_cast<int64_t>(f.files.size()), 3, f.h, f.w);
  Progress progress("loading " + dir.filename().string(), batch.n, opt.progress);
  decode_files(f, 0, batch, progress);
  progress.finish();
  return batch;
}

}  // namespace

ImageBatch load_image_set(const fs::path& path, const ImageSetOptions& opt) {
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  ImageBatch batch;
  const std::string ext = lower(path.extension().string());
  if (fs::is_directory(path)) {
    batch = load_folder(path, opt);
  } else if (ext == ".npy") {
    batch = load_npy(path);
  } else if (ext == ".npz") {
    batch = load_npz(path);
  } else if (ext == ".h5" || ext == ".hdf5") {
    PyramidReader reader(path);
    const int r = opt.resolution > 0 ? opt.resolution : reader.info().resolution;
    reader.require_level(r);
    int64_t n = reader.count();
    if (opt.limit >= 0) n = std::min(n, opt.limit);
    batch = reader.read(r, 0, n);
  } else {
    fail(ErrorKind::Data, fmt::format("{}: not an image folder, .npy, .npz or .h5 file", path.string()));
  }
  GANKIT_CHECK_DATA(batch.n > 0, "{} contains no images", path.string());
  if (opt.limit >= 0) batch.truncate(opt.limit);
  if (opt.resolution > 0)
    GANKIT_CHECK_DATA(batch.h == opt.resolution && batch.w == opt.resolution,
                      "{}: images are {}x{}, not the requested {}x{}", path.string(), batch.w, batch.h, opt.resolution,
                      opt.resolution);
  if (opt.rgb) return to_rgb(std::move(batch));
  return batch;  // (a conditional expression here would copy the whole batch)
}

namespace {

void resize_batch(ImageBatch& out, int64_t n, int c, int h, int w) {
  out.n = n, out.c = c, out.h = h, out.w = w;
  out.data.resize(static_cast<size_t>(n) * c * h * w);
}

class BatchView : public ImageSet {
 public:
  explicit BatchView(const ImageBatch& b) : b_(b) {}
  int64_t count() const override { return b_.n; }
  int channels() const override { return b_.c; }
  int height() const override { return b_.h; }
  int width() const override { return b_.w; }
  void read(int64_t start, int64_t n, ImageBatch& out) override {
    resize_batch(out, n, b_.c, b_.h, b_.w);
    std::copy(b_.image(start), b_.image(start) + n * static_cast<int64_t>(b_.image_bytes()), out.data.begin());
  }

 private:
  const ImageBatch& b_;
};

struct BatchHolder {
  ImageBatch batch;
};

// Owns its batch: the holder base is constructed before the view that refers to it.
class OwnedBatch : private BatchHolder, public BatchView {
 public:
  explicit OwnedBatch(ImageBatch b) : BatchHolder{std::move(b)}, BatchView(batch) {}
};

class StreamedNpy : public ImageSet {
 public:
  // `name` is what messages call the file (`path` may be a temporary copy).
  StreamedNpy(const fs::path& path, const ImageSetOptions& opt, const std::string& name)
      : reader_(path), rgb_(opt.rgb) {
    count_ = reader_.count();
    if (opt.limit >= 0) count_ = std::min(count_, opt.limit);
    GANKIT_CHECK_DATA(count_ > 0, "{} contains no images", name);
    if (opt.resolution > 0)
      GANKIT_CHECK_DATA(reader_.height() == opt.resolution && reader_.width() == opt.resolution,
                        "{}: images are {}x{}, not the requested {}x{}", name, reader_.width(), reader_.height(),
                        opt.resolution, opt.resolution);
  }
  int64_t count() const override { return count_; }
  int channels() const override { return rgb_ ? 3 : reader_.channels(); }
  int height() const override { return reader_.height(); }
  int width() const override { return reader_.width(); }
  void read(int64_t start, int64_t n, ImageBatch& out) override {
    GANKIT_CHECK(start >= 0 && start + n <= count_, Internal, "images [{}, {}) out of range", start, start + n);
    resize_batch(out, n, reader_.channels(), height(), width());
    reader_.read(start, n, out);
    if (rgb_ && reader_.channels() == 1) out = to_rgb(std::move(out));
  }

 private:
  NpyReader reader_;
  bool rgb_;
  int64_t count_ = 0;
};

// A folder's images read by ranges (what the two large-folder sets below share).
class FolderRanges : public ImageSet {
 public:
  explicit FolderRanges(FolderFiles f) : f_(std::move(f)) {}
  int64_t count() const override { return static_cast<int64_t>(f_.files.size()); }
  int channels() const override { return 3; }
  int height() const override { return f_.h; }
  int width() const override { return f_.w; }

 protected:
  // Checks [start, start + n) and sizes `out` for it.
  void prepare(int64_t start, int64_t n, ImageBatch& out) const {
    GANKIT_CHECK(start >= 0 && start + n <= count(), Internal, "images [{}, {}) out of range", start, start + n);
    resize_batch(out, n, 3, f_.h, f_.w);
  }
  FolderFiles f_;
};

// A folder too large to hold decoded: decoded once, block by block on every core, into an
// unlinked temporary file (nothing is left behind, even by a crash), then read by ranges like a
// .npy file (the page cache keeps repeated passes cheap; the process holds one block).
class SpilledFolder : public FolderRanges {
 public:
  static constexpr int64_t kBlock = 256;
  SpilledFolder(const fs::path& dir, FolderFiles f, std::unique_ptr<SpillFile> file, const ImageSetOptions& opt)
      : FolderRanges(std::move(f)), file_(std::move(file)) {
    const int64_t n = count();
    const int64_t bytes = int64_t(3) * f_.h * f_.w;
    Progress progress("loading " + dir.filename().string(), n, opt.progress);
    ImageBatch block;
    for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
      resize_batch(block, std::min(kBlock, n - b0), 3, f_.h, f_.w);
      decode_files(f_, b0, block, progress);
      file_->write(block.data.data(), block.data.size(), b0 * bytes, "the decoded images of " + dir.string());
    }
    progress.finish();
  }
  void read(int64_t start, int64_t n, ImageBatch& out) override {
    prepare(start, n, out);
    file_->read(out.data.data(), out.data.size(), start * static_cast<int64_t>(out.image_bytes()));
  }

 private:
  std::unique_ptr<SpillFile> file_;
};

// A folder too large to hold decoded, for a caller that reads it once (ImageSetOptions::
// single_pass): each read decodes its range on every core, and nothing is kept.
class DecodedFolder : public FolderRanges {
 public:
  using FolderRanges::FolderRanges;
  void read(int64_t start, int64_t n, ImageBatch& out) override {
    prepare(start, n, out);
    Progress silent("", n, ProgressOptions{true, false});  // the caller reports its own progress
    decode_files(f_, start, out, silent);
  }
  bool decodes_on_read() const override { return true; }
};

// An HDF5 level larger than ImageSetOptions::hdf5_hold_limit, read by ranges: a metric's pass
// decompresses the chunks again, cheap next to holding tens of GB (a large level of LSUN or
// CelebA-HQ); smaller levels are decoded once.
class StreamedLevel : public ImageSet {
 public:
  StreamedLevel(const fs::path& path, const ImageSetOptions& opt) : reader_(path), rgb_(opt.rgb) {
    r_ = opt.resolution > 0 ? opt.resolution : reader_.info().resolution;
    reader_.require_level(r_);
    count_ = opt.limit >= 0 ? std::min(reader_.count(), opt.limit) : reader_.count();
    GANKIT_CHECK_DATA(count_ > 0, "{} contains no images", path.string());
  }
  int64_t count() const override { return count_; }
  int channels() const override { return rgb_ ? 3 : reader_.channels(); }
  int height() const override { return r_; }
  int width() const override { return r_; }
  void read(int64_t start, int64_t n, ImageBatch& out) override {
    GANKIT_CHECK(start >= 0 && start + n <= count_, Internal, "images [{}, {}) out of range", start, start + n);
    out = reader_.read(r_, start, n);
    if (rgb_ && out.c == 1) out = to_rgb(std::move(out));
  }
  int64_t bytes() const { return count_ * reader_.channels() * static_cast<int64_t>(r_) * r_; }

 private:
  PyramidReader reader_;
  bool rgb_;
  int r_ = 0;
  int64_t count_ = 0;
};

// A large .npz member, inflated once into an unlinked temporary file and streamed from it.
struct SpillHolder {
  std::unique_ptr<SpillFile> file;
};
// The member of `path` copied into `file`, as a path that opens it.
std::string extracted(const fs::path& path, SpillFile& file) {
  extract_npz_member(path, "", file);
  return "/proc/self/fd/" + std::to_string(file.fd());
}
// (The file's owner is a base constructed first: a failed extraction still closes it.)
class SpilledNpz : private SpillHolder, public StreamedNpy {
 public:
  SpilledNpz(const fs::path& path, std::unique_ptr<SpillFile> f, const ImageSetOptions& opt)
      : SpillHolder{std::move(f)}, StreamedNpy(extracted(path, *file), opt, path.string()) {}
};

}  // namespace

std::unique_ptr<ImageSet> open_image_set(const fs::path& path, const ImageSetOptions& options) {
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  if (!fs::is_directory(path) && lower(path.extension().string()) == ".npy")
    return std::make_unique<StreamedNpy>(path, options, path.string());
  const std::string ext = lower(path.extension().string());
  if (!fs::is_directory(path) && (ext == ".h5" || ext == ".hdf5")) {
    auto level = std::make_unique<StreamedLevel>(path, options);
    if (level->bytes() > options.hdf5_hold_limit) return level;
  }
  if (!fs::is_directory(path) && ext == ".npz" && npz_member_bytes(path) > static_cast<uint64_t>(options.spill_limit)) {
    if (auto file = SpillFile::create()) return std::make_unique<SpilledNpz>(path, std::move(file), options);
  }
  if (fs::is_directory(path)) {
    FolderFiles f = folder_files(path, options);
    const bool large = static_cast<int64_t>(f.files.size()) * 3 * f.h * f.w > options.spill_limit;
    if (large) {
      if (options.resolution > 0)
        GANKIT_CHECK_DATA(f.h == options.resolution && f.w == options.resolution,
                          "{}: images are {}x{}, not the requested {}x{}", path.string(), f.w, f.h, options.resolution,
                          options.resolution);
      if (options.single_pass) return std::make_unique<DecodedFolder>(std::move(f));
      if (auto file = SpillFile::create())
        return std::make_unique<SpilledFolder>(path, std::move(f), std::move(file), options);
    }
  }
  return std::make_unique<OwnedBatch>(load_image_set(path, options));
}

std::unique_ptr<ImageSet> image_set_view(const ImageBatch& batch) { return std::make_unique<BatchView>(batch); }

}  // namespace gankit
