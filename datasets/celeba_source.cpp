// CelebA aligned-and-cropped images: img_align_celeba/*.jpg (178x218), with the split from
// list_eval_partition.txt (0 train, 1 val, 2 test). Each image is cropped to the 128x128 face
// box centred at (x 89, y 121), as the official ProGAN dataset_tool create_celeba does.
#include <fstream>
#include <map>
#include <sstream>

#include "error.h"
#include "image_io.h"
#include "image_source.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

class CelebaSource : public EncodedImageSource {
 public:
  explicit CelebaSource(std::vector<fs::path> files) : files_(std::move(files)) {}
  std::string format() const override { return "celeba"; }
  int64_t count() const override { return static_cast<int64_t>(files_.size()); }
  std::string preprocessing() const override { return "crop 128x128 centred at (89, 121) (ProGAN create_celeba)"; }

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
  void post_decode(cv::Mat& img, const std::string& name) const override {
    GANKIT_CHECK_DATA(
        img.cols == 178 && img.rows == 218,
        "{} is {}x{}, not the 178x218 of img_align_celeba (use " GANKIT_SETTING("format") " folder for other images)",
        name, img.cols, img.rows);
    img = img(cv::Rect(89 - 64, 121 - 64, 128, 128)).clone();
  }

 private:
  std::vector<fs::path> files_;
  size_t next_ = 0;
};

}  // namespace

std::unique_ptr<ImageSource> open_celeba(const fs::path& path, const std::string& split) {
  GANKIT_CHECK_USAGE(split == "train" || split == "val" || split == "test" || split == "all",
                     GANKIT_SETTING("split") " {}: CelebA has train, val, test or all", split);
  GANKIT_CHECK_DATA(fs::is_directory(path), "{} is not a folder", path.string());
  fs::path img_dir = fs::is_directory(path / "img_align_celeba") ? path / "img_align_celeba" : path;
  std::vector<fs::path> files = list_images(img_dir, false);
  GANKIT_CHECK_DATA(!files.empty(), "{}: no images (expected img_align_celeba/*.jpg)", img_dir.string());
  if (split != "all") {
    fs::path part = path / "list_eval_partition.txt";
    if (!fs::exists(part)) part = img_dir.parent_path() / "list_eval_partition.txt";
    GANKIT_CHECK_DATA(fs::exists(part), GANKIT_SETTING("split") " {} needs {}, which is missing", split,
                      (path / "list_eval_partition.txt").string());
    const int want = split == "train" ? 0 : split == "val" ? 1 : 2;
    std::map<std::string, int> partition;
    std::ifstream in(part);
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      std::istringstream ss(line);
      std::string name;
      int p = -1;
      GANKIT_CHECK_DATA(static_cast<bool>(ss >> name >> p) && p >= 0 && p <= 2,
                        "{}:{}: malformed line (expected \"NAME 0|1|2\")", part.string(), line_no);
      partition[name] = p;
    }
    std::vector<fs::path> kept;
    for (auto& f : files) {
      auto it = partition.find(f.filename().string());
      GANKIT_CHECK_DATA(it != partition.end(), "{} is not listed in {}", f.string(), part.string());
      if (it->second == want) kept.push_back(f);
    }
    files = std::move(kept);
    GANKIT_CHECK_DATA(!files.empty(), "{}: no images in split {}", path.string(), split);
  }
  return std::make_unique<CelebaSource>(std::move(files));
}

}  // namespace gankit
