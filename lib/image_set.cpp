#include "image_set.h"

#include <mutex>
#include <opencv2/core.hpp>

#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "npy.h"
#include "parallel.h"

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

ImageBatch load_folder(const fs::path& dir, const ImageSetOptions& opt) {
  auto files = list_images(dir, opt.recursive);
  GANKIT_CHECK_DATA(!files.empty(), "{} contains no images (png, jpg, jpeg, webp, bmp){}", dir.string(),
                    opt.recursive ? "" : "; pass --recursive to search subfolders");
  if (opt.limit >= 0 && static_cast<int64_t>(files.size()) > opt.limit) files.resize(static_cast<size_t>(opt.limit));
  cv::Mat first = read_image(files[0], ColorMode::Rgb);
  const int h = first.rows, w = first.cols;
  ImageBatch batch(static_cast<int64_t>(files.size()), 3, h, w);
  mat_to_chw(first, batch.image(0));
  Progress progress("loading " + dir.filename().string(), batch.n, opt.progress);
  progress.add(1);
  std::mutex progress_mutex;
  // Decoding dominates: run it on OpenCV's thread pool; the first bad file in file order is reported.
  parallel_for_ordered(static_cast<int64_t>(files.size()) - 1, [&](int64_t k) {
    const size_t i = static_cast<size_t>(k) + 1;
    cv::Mat img = read_image(files[i], ColorMode::Rgb);
    GANKIT_CHECK_DATA(img.rows == h && img.cols == w, "{} is {}x{} but {} is {}x{}: all images must have one size",
                      files[i].string(), img.cols, img.rows, files[0].string(), w, h);
    mat_to_chw(img, batch.image(static_cast<int64_t>(i)));
    std::lock_guard<std::mutex> lock(progress_mutex);
    progress.add(1);
  });
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
  StreamedNpy(const fs::path& path, const ImageSetOptions& opt) : reader_(path), rgb_(opt.rgb) {
    count_ = reader_.count();
    if (opt.limit >= 0) count_ = std::min(count_, opt.limit);
    GANKIT_CHECK_DATA(count_ > 0, "{} contains no images", path.string());
    if (opt.resolution > 0)
      GANKIT_CHECK_DATA(reader_.height() == opt.resolution && reader_.width() == opt.resolution,
                        "{}: images are {}x{}, not the requested {}x{}", path.string(), reader_.width(),
                        reader_.height(), opt.resolution, opt.resolution);
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

}  // namespace

std::unique_ptr<ImageSet> open_image_set(const fs::path& path, const ImageSetOptions& options) {
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  if (!fs::is_directory(path) && lower(path.extension().string()) == ".npy")
    return std::make_unique<StreamedNpy>(path, options);
  return std::make_unique<OwnedBatch>(load_image_set(path, options));
}

std::unique_ptr<ImageSet> image_set_view(const ImageBatch& batch) { return std::make_unique<BatchView>(batch); }

}  // namespace gankit
