// ImageSource — a stream of images from one dataset format, read in bounded memory.
//
// Records are decoded images (cv::Mat HWC uint8, RGB or 1-channel gray as channels() says) with
// an optional label and a name for messages. A record that could not be decoded carries an
// error instead of an image, so the caller decides between stopping and --skip-bad.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <vector>

namespace gankit {

struct SourceRecord {
  cv::Mat image;  // empty when `error` is set
  int64_t label = -1;
  std::string name;   // file path, "file.bin#123", "lmdb:key", ...
  std::string error;  // decode failure, one line
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual std::string format() const = 0;
  virtual int64_t count() const { return -1; }  // total records when known, else -1
  virtual int channels() const { return 3; }
  virtual bool has_labels() const { return false; }
  virtual std::vector<std::string> class_names() const { return {}; }
  // Describes source-specific preprocessing (e.g. CelebA's fixed crop), for provenance.
  virtual std::string preprocessing() const { return ""; }
  // Appends up to `max` records to `out`; returns false when the source is exhausted.
  virtual bool next_batch(std::vector<SourceRecord>& out, size_t max) = 0;
};

// A source whose records are encoded image files (folder, LSUN, CelebA): bytes are read in
// order on the calling thread, then decoded in parallel on OpenCV's thread pool.
class EncodedImageSource : public ImageSource {
 public:
  bool next_batch(std::vector<SourceRecord>& out, size_t max) final;

 protected:
  struct Encoded {
    std::string name;
    std::vector<uint8_t> bytes;
    int64_t label = -1;
    std::string error;  // reading failed
  };
  // Reads the next encoded record; returns false at the end.
  virtual bool next_encoded(Encoded& e) = 0;
  // Applied to each decoded image (on a worker thread). Throws Error(Data) to reject it.
  virtual void post_decode(cv::Mat& /*img*/, const std::string& /*name*/) const {}
};

struct SourceOptions {
  std::string format = "auto";  // auto|folder|cifar10|svhn|idx|lsun|celeba
  std::string split;            // train|test|all (|val for celeba, |extra for svhn); "" = format default
  bool recursive = false;       // folders
};

// Opens `path` as the given format, or detects it (auto). Throws Error(Data) when the path is
// missing or holds none of the formats, naming what was expected.
std::unique_ptr<ImageSource> open_source(const std::filesystem::path& path, const SourceOptions& options);
// The detected format name for `path` ("folder" when nothing more specific matches).
std::string detect_format(const std::filesystem::path& path);

// Constructors of the individual sources (see sources.cpp).
std::unique_ptr<ImageSource> open_folder(const std::filesystem::path& dir, bool recursive);
std::unique_ptr<ImageSource> open_cifar10(const std::filesystem::path& path, const std::string& split);
std::unique_ptr<ImageSource> open_svhn(const std::filesystem::path& path, const std::string& split);
std::unique_ptr<ImageSource> open_idx(const std::filesystem::path& path, const std::string& split);
std::unique_ptr<ImageSource> open_lsun(const std::filesystem::path& path);
std::unique_ptr<ImageSource> open_celeba(const std::filesystem::path& path, const std::string& split);

}  // namespace gankit
