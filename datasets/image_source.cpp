#include "image_source.h"

#include <opencv2/core/utility.hpp>

#include "error.h"
#include "image_io.h"

namespace gankit {
namespace fs = std::filesystem;

bool EncodedImageSource::next_batch(std::vector<SourceRecord>& out, size_t max) {
  std::vector<Encoded> encoded;
  encoded.reserve(max);
  while (encoded.size() < max) {
    Encoded e;
    if (!next_encoded(e)) break;
    encoded.push_back(std::move(e));
  }
  if (encoded.empty()) return false;
  const size_t base = out.size();
  out.resize(base + encoded.size());
  cv::parallel_for_(cv::Range(0, static_cast<int>(encoded.size())), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      Encoded& e = encoded[static_cast<size_t>(i)];
      SourceRecord& r = out[base + static_cast<size_t>(i)];
      r.name = e.name;
      r.label = e.label;
      if (!e.error.empty()) {
        r.error = e.error;
        continue;
      }
      try {
        r.image = decode_image(e.bytes, e.name, channels() == 1 ? ColorMode::Keep : ColorMode::Rgb);
        post_decode(r.image, e.name);
      } catch (const Error& err) {
        r.image.release();
        r.error = err.raw();
      }
      std::vector<uint8_t>().swap(e.bytes);
    }
  });
  return true;
}

std::string detect_format(const fs::path& path) {
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  const std::string name = path.filename().string();
  auto ends_with = [&](const std::string& s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (fs::is_regular_file(path)) {
    if (ends_with(".bin")) return "cifar10";
    if (ends_with(".mat")) return "svhn";
    if (name.find("idx3-ubyte") != std::string::npos) return "idx";
    if (name == "data.mdb") return "lsun";
    fail(ErrorKind::Data, fmt::format("{}: unknown dataset file (expected a CIFAR-10 .bin, an SVHN .mat, an IDX "
                                      "images file or an lmdb data.mdb); pass " GANKIT_SETTING("format"),
                                      path.string()));
  }
  auto has = [&](const char* n) { return fs::exists(path / n); };
  if (has("data_batch_1.bin") || has("test_batch.bin") || has("cifar-10-batches-bin")) return "cifar10";
  if (has("train_32x32.mat") || has("test_32x32.mat") || has("extra_32x32.mat")) return "svhn";
  for (const char* n :
       {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"})
    if (has(n)) return "idx";
  if (has("data.mdb")) return "lsun";
  if (has("img_align_celeba") || has("list_eval_partition.txt") || has("list_landmarks_align_celeba.txt"))
    return "celeba";
  return "folder";
}

std::unique_ptr<ImageSource> open_source(const fs::path& path, const SourceOptions& options) {
  const std::string format = options.format == "auto" ? detect_format(path) : options.format;
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  auto split = [&](const std::string& def) { return options.split.empty() ? def : options.split; };
  if (format != "folder" && format != "lsun")
    GANKIT_CHECK_USAGE(!options.recursive, GANKIT_SETTING("recursive") " applies to image folders, not to {}", format);
  if (format == "folder" || format == "lsun")
    GANKIT_CHECK_USAGE(options.split.empty(), GANKIT_SETTING("split") " does not apply to {} sources", format);
  if (format == "folder") return open_folder(path, options.recursive);
  if (format == "cifar10") return open_cifar10(path, split("train"));
  if (format == "svhn") return open_svhn(path, split("train"));
  if (format == "idx") return open_idx(path, split("train"));
  if (format == "lsun") return open_lsun(path);
  if (format == "celeba") return open_celeba(path, split("all"));
  fail(ErrorKind::Usage,
       fmt::format(GANKIT_SETTING("format") " {}: expected auto, folder, cifar10, svhn, idx, lsun or celeba",
                   options.format));
}

}  // namespace gankit
