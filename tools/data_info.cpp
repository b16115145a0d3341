// gan-data info IN.h5
#include <fmt/format.h>

#include "cli.h"
#include "gan_data_commands.h"
#include "hdf5_store.h"
#include "report.h"

namespace gankit::cli {

int data_info(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  std::string in;
  po::options_description desc("Options");
  desc.add_options()("in", po::value(&in)->required(), "HDF5 pyramid");
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("in", 1);
  po::variables_map vm;
  if (!parse(fmt::format("Usage: {} IN.h5 [--json]\n\nShows levels, image count, labels and provenance.", prog), args,
             desc, pos, vm))
    return 0;
  PyramidReader reader(in);
  const PyramidInfo& info = reader.info();
  Summary r;
  r.add("file", in)
      .add("images", info.count)
      .also("resolution", info.resolution)
      .add("channels", info.channels, fmt::format("{} ({})", info.channels, info.channels == 1 ? "grayscale" : "RGB"))
      .add("levels", info.resolutions, fmt::format("{}", fmt::join(info.resolutions, ", ")))
      .add("compression", info.compression)
      .also("attributes", info.attributes);
  if (info.has_labels) {
    const auto labels = reader.labels();  // checked: each in [0, classes)
    int64_t max_label = static_cast<int64_t>(info.class_names.size()) - 1;
    for (int64_t l : labels) max_label = std::max(max_label, l);
    std::vector<int64_t> counts(static_cast<size_t>(max_label + 1), 0);
    for (int64_t l : labels) ++counts[static_cast<size_t>(l)];
    r.also("labels", {{"class_names", info.class_names}, {"counts", counts}});
    bool first = true;
    for (size_t c = 0; c < counts.size(); ++c) {
      if (counts[c] == 0 && c >= info.class_names.size()) continue;  // unnamed and absent
      const std::string name = c < info.class_names.size() ? info.class_names[c] : std::to_string(c);
      r.row(first ? "labels" : "", fmt::format("{} {}: {}", c, name, counts[c]));
      first = false;
    }
  } else {
    r.add("labels", nullptr, "none");
  }
  for (const auto& [k, v] : info.attributes) r.row(k, v);
  r.emit(common.json);
  return 0;
}

}  // namespace gankit::cli
