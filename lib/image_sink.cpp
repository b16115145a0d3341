#include "image_sink.h"

#include <fmt/format.h>

#include "atomic_output.h"
#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "npy.h"
#include "parallel.h"

namespace gankit {

namespace fs = std::filesystem;

namespace {

class PngFolderSink : public ImageSink {
 public:
  PngFolderSink(const fs::path& out, bool overwrite) : output_(out, overwrite, AtomicOutput::Kind::ImageFolder) {
    fs::create_directory(output_.temp_path());
  }
  void append(const ImageBatch& b) override {
    parallel_for_ordered(b.n, [&](int64_t i) {
      write_image(output_.temp_path() / fmt::format("{:08}.png", next_ + i), chw_to_mat(b.image(i), b.c, b.h, b.w));
    });
    next_ += b.n;
  }
  void commit() override { output_.commit(); }

 private:
  AtomicOutput output_;
  int64_t next_ = 0;
};

class NpySink : public ImageSink {
 public:
  NpySink(const fs::path& out, int64_t n, int c, int r, bool overwrite) : writer_(out, n, c, r, r, overwrite) {}
  void append(const ImageBatch& b) override { writer_.append(b); }
  void commit() override { writer_.commit(); }

 private:
  NpyWriter writer_;
};

class PyramidSink : public ImageSink {
 public:
  PyramidSink(const fs::path& out, int c, int r, const ImageSinkOptions& o)
      : writer_(out, r, c, [&] {
          PyramidWriterOptions w;
          w.overwrite = o.overwrite;
          w.attributes = o.attributes;
          return w;
        }()) {}
  void append(const ImageBatch& b) override {
    for (int64_t i = 0; i < b.n; ++i) writer_.append(b.image(i));
  }
  void commit() override { writer_.commit(); }

 private:
  PyramidWriter writer_;
};

}  // namespace

std::unique_ptr<ImageSink> open_image_sink(const fs::path& out, int64_t n, int channels, int resolution,
                                           const ImageSinkOptions& options) {
  const std::string ext = out.extension().string();
  if (ext == ".h5" || ext == ".hdf5") return std::make_unique<PyramidSink>(out, channels, resolution, options);
  if (ext == ".npy") return std::make_unique<NpySink>(out, n, channels, resolution, options.overwrite);
  return std::make_unique<PngFolderSink>(out, options.overwrite);
}

}  // namespace gankit
