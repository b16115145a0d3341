// CIFAR-10 binary version: data_batch_1..5.bin (train), test_batch.bin (test). Each file holds
// 10000 records of 3073 bytes: the label byte, then 1024 R, 1024 G, 1024 B bytes (row-major
// 32x32). Class names come from batches.meta.txt beside the batches.
#include <fstream>

#include "atomic_output.h"
#include "error.h"
#include "image_source.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

constexpr size_t kRecord = 3073;

std::vector<std::string> read_class_names(const fs::path& meta) {
  std::vector<std::string> names;
  std::ifstream in(meta);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

class Cifar10Source : public ImageSource {
 public:
  Cifar10Source(std::vector<fs::path> files, std::vector<std::string> class_names)
      : files_(std::move(files)), class_names_(std::move(class_names)) {
    for (const auto& f : files_) {
      GANKIT_CHECK_DATA(fs::exists(f), "CIFAR-10 batch {} is missing", f.string());
      const auto size = fs::file_size(f);
      GANKIT_CHECK_DATA(size > 0 && size % kRecord == 0,
                        "{}: truncated CIFAR-10 file ({} bytes is not a whole number of {}-byte records)", f.string(),
                        size, kRecord);
      total_ += static_cast<int64_t>(size / kRecord);
    }
  }
  std::string format() const override { return "cifar10"; }
  int64_t count() const override { return total_; }
  bool has_labels() const override { return true; }
  std::vector<std::string> class_names() const override { return class_names_; }

  bool next_batch(std::vector<SourceRecord>& out, size_t max) override {
    size_t produced = 0;
    uint8_t rec[kRecord];
    while (produced < max) {
      if (!in_.is_open() || in_.peek() == EOF) {
        if (in_.is_open()) in_.close();
        if (file_ >= files_.size()) break;
        in_.open(files_[file_], std::ios::binary);
        GANKIT_CHECK_DATA(in_.good(), "cannot open {}", files_[file_].string());
        ++file_;
        index_in_file_ = 0;
        continue;
      }
      in_.read(reinterpret_cast<char*>(rec), kRecord);
      const std::string name = fmt::format("{}#{}", files_[file_ - 1].string(), index_in_file_);
      GANKIT_CHECK_DATA(in_.gcount() == static_cast<std::streamsize>(kRecord), "{}: truncated record", name);
      GANKIT_CHECK_DATA(rec[0] < 10, "{}: label {} is not a CIFAR-10 class (0..9)", name, int(rec[0]));
      SourceRecord r;
      r.name = name;
      r.label = rec[0];
      r.image.create(32, 32, CV_8UC3);
      for (int y = 0; y < 32; ++y) {
        uint8_t* row = r.image.ptr<uint8_t>(y);
        for (int x = 0; x < 32; ++x)
          for (int c = 0; c < 3; ++c) row[3 * x + c] = rec[1 + 1024 * c + 32 * y + x];
      }
      out.push_back(std::move(r));
      ++produced;
      ++index_in_file_;
    }
    return produced > 0;
  }

 private:
  std::vector<fs::path> files_;
  std::vector<std::string> class_names_;
  int64_t total_ = 0;
  size_t file_ = 0;
  int64_t index_in_file_ = 0;
  std::ifstream in_;
};

}  // namespace

std::unique_ptr<ImageSource> open_cifar10(const fs::path& path, const std::string& split) {
  std::vector<fs::path> files;
  fs::path dir = path;
  if (fs::is_regular_file(path)) {
    files.push_back(path);
    dir = path.parent_path();
  } else {
    if (fs::is_directory(path / "cifar-10-batches-bin")) dir = path / "cifar-10-batches-bin";
    GANKIT_CHECK_USAGE(split == "train" || split == "test" || split == "all",
                       GANKIT_SETTING("split") " {}: CIFAR-10 has train, test or all", split);
    if (split != "test")
      for (int i = 1; i <= 5; ++i) files.push_back(dir / fmt::format("data_batch_{}.bin", i));
    if (split != "train") files.push_back(dir / "test_batch.bin");
  }
  for (const auto& f : files) note_input(f);
  std::vector<std::string> names = read_class_names(dir / "batches.meta.txt");
  if (names.size() != 10)  // the fixed CIFAR-10 classes, in label order
    names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  return std::make_unique<Cifar10Source>(std::move(files), std::move(names));
}

}  // namespace gankit
