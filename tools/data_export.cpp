// gan-data export IN.h5 OUT_DIR
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <opencv2/core/utility.hpp>

#include "atomic_output.h"
#include "cli.h"
#include "error.h"
#include "gan_data_commands.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "report.h"

namespace gankit::cli {
namespace fs = std::filesystem;

int data_export(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  std::string in, out;
  int resolution = 0;
  int64_t limit = -1;
  bool overwrite = false;
  po::options_description desc("Options");
  desc.add_options()("in", po::value(&in)->required(), "input HDF5 pyramid")(
      "out", po::value(&out)->required(), "output folder (created; must not exist unless --overwrite)")(
      "resolution", po::value(&resolution)->default_value(0), "level to export (default: the largest)")(
      "limit", po::value(&limit)->default_value(-1), "export at most N images")(
      "overwrite", po::bool_switch(&overwrite), "replace OUT_DIR if it exists");
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("in", 1).add("out", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} IN.h5 OUT_DIR [options]\n\n"
      "Writes one level of the pyramid as PNG files 00000000.png, 00000001.png, ... (RGB or grayscale)\n"
      "plus labels.csv (file,label,class) when the dataset has labels. OUT_DIR appears only when complete.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(limit == -1 || limit > 0, "--limit {} must be positive", limit);

  PyramidReader reader(in);
  const int r = resolution > 0 ? resolution : reader.info().resolution;
  reader.require_level(r);
  const int64_t n = limit > 0 ? std::min(limit, reader.count()) : reader.count();
  AtomicOutput output(out, overwrite, AtomicOutput::Kind::ImageFolder);
  fs::create_directory(output.temp_path());
  const auto labels = reader.labels();
  const auto& names = reader.info().class_names;
  std::ofstream csv;
  if (!labels.empty()) {
    csv.open(output.temp_path() / "labels.csv");
    csv << "file,label,class\n";
  }
  Progress progress("export", n, common.progress_options());
  constexpr int64_t kBlock = 512;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t count = std::min(kBlock, n - start);
    ImageBatch batch = reader.read(r, start, count);
    cv::parallel_for_(cv::Range(0, static_cast<int>(count)), [&](const cv::Range& range) {
      for (int i = range.start; i < range.end; ++i)
        write_image(output.temp_path() / fmt::format("{:08}.png", start + i),
                    chw_to_mat(batch.image(i), batch.c, r, r));
    });
    for (int64_t i = 0; i < count && !labels.empty(); ++i) {
      const int64_t label = labels[static_cast<size_t>(start + i)];
      std::string cls =
          label >= 0 && label < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(label)] : "";
      if (cls.find_first_of(",\"") != std::string::npos) cls = "\"" + cls + "\"";
      csv << fmt::format("{:08}.png,{},{}\n", start + i, label, cls);
    }
    progress.add(count);
  }
  progress.finish();
  if (csv.is_open()) {
    csv.close();
    GANKIT_CHECK_DATA(!csv.fail(), "cannot write {}", (output.temp_path() / "labels.csv").string());
  }
  output.commit();
  Summary()
      .add("output", out)
      .add("images", n)
      .add("resolution", r)
      .add("labels", !labels.empty(), labels.empty() ? "no (dataset has no labels)" : "yes", "labels.csv")
      .emit(common.json);
  return 0;
}

}  // namespace gankit::cli
