// Image folder: png, jpg/jpeg, webp, bmp in sorted path order (recursive on request).
#include "error.h"
#include "image_io.h"
#include "image_source.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

class FolderSource : public EncodedImageSource {
 public:
  FolderSource(const fs::path& dir, bool recursive) : files_(list_images(dir, recursive)) {
    GANKIT_CHECK_DATA(!files_.empty(), "{} contains no images (png, jpg, jpeg, webp, bmp){}", dir.string(),
                      recursive ? "" : "; pass " GANKIT_SETTING("recursive") " to search subfolders");
    for (const auto& f : files_) lossy_ += is_lossy_format(f) ? 1 : 0;
  }
  std::string format() const override { return "folder"; }
  int64_t count() const override { return static_cast<int64_t>(files_.size()); }
  // Lossy inputs (jpeg, webp) carry compression artefacts into the GAN's training data: say so.
  std::string preprocessing() const override {
    return lossy_ ? fmt::format("{} of {} inputs lossy (jpeg/webp)", lossy_, files_.size()) : "";
  }

 protected:
  bool next_encoded(Encoded& e) override {
    if (next_ >= files_.size()) return false;
    const fs::path& p = files_[next_++];
    e.name = p.string();
    try {
      e.bytes = read_file_bytes(p);
    } catch (const Error& err) {
      e.error = err.raw();
    }
    return true;
  }

 private:
  std::vector<fs::path> files_;
  size_t next_ = 0;
  size_t lossy_ = 0;
};

}  // namespace

std::unique_ptr<ImageSource> open_folder(const fs::path& dir, bool recursive) {
  return std::make_unique<FolderSource>(dir, recursive);
}

}  // namespace gankit
