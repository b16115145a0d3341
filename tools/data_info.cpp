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
  nlohmann::json j = {{"file", in},
                      {"images", info.count},
                      {"resolution", info.resolution},
                      {"channels", info.channels},
                      {"levels", info.resolutions},
                      {"compression", info.compression},
                      {"attributes", info.attributes}};
  Table t({"field", "value"});
  t.add_row({"file", in});
  t.add_row({"images", std::to_string(info.count)});
  t.add_row({"channels", fmt::format("{} ({})", info.channels, info.channels == 1 ? "grayscale" : "RGB")});
  t.add_row({"levels", fmt::format("{}", fmt::join(info.resolutions, ", "))});
  t.add_row({"compression", info.compression});
  if (info.has_labels) {
    const auto labels = reader.labels();  // checked: each in [0, classes)
    int64_t max_label = static_cast<int64_t>(info.class_names.size()) - 1;
    for (int64_t l : labels) max_label = std::max(max_label, l);
    std::vector<int64_t> counts(static_cast<size_t>(max_label + 1), 0);
    for (int64_t l : labels) ++counts[static_cast<size_t>(l)];
    j["labels"] = {{"class_names", info.class_names}, {"counts", counts}};
    bool first = true;
    for (size_t c = 0; c < counts.size(); ++c) {
      if (counts[c] == 0 && c >= info.class_names.size()) continue;  // unnamed and absent
      const std::string name = c < info.class_names.size() ? info.class_names[c] : std::to_string(c);
      t.add_row({first ? "labels" : "", fmt::format("{} {}: {}", c, name, counts[c])});
      first = false;
    }
  } else {
    j["labels"] = nullptr;
    t.add_row({"labels", "none"});
  }
  for (const auto& [k, v] : info.attributes) t.add_row({k, v});
  emit(j, t, common.json);
  return 0;
}

}  // namespace gankit::cli
