// The options shared by gan-eval fid, kid, prdc and stats: which backbone, how images reach it,
// and which images. Parsed into a BackboneSpec and ImageSetOptions for the library.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "cli.h"
#include "feature_source.h"

namespace gankit::cli {

struct FeatureInputFlags {
  std::string backbone, resize = "clean", device = "cpu";
  int backbone_size = 0, batch = 50, threads = 0, resolution = 0;
  int64_t num_images = -1;
  bool recursive = false;
};

void add_feature_input_options(po::options_description& desc, FeatureInputFlags& flags);

// Checks the values (exit 1 naming the option) and sets the thread count.
BackboneSpec backbone_spec(const FeatureInputFlags& flags);
ImageSetOptions image_options(const FeatureInputFlags& flags, const CommonFlags& common);

// The command line of fid, kid and prdc: REAL FAKE, the metric's own options (added to `options`
// by the command before parse()), then the backbone options and --json/--quiet/--progress.
struct FeaturePairCommand {
  CommonFlags common;
  FeatureInputFlags flags;
  std::string real, fake;
  po::options_description options{"Options"};
  FeaturePairCommand();
  // Adds the shared options and parses `args`; false when --help was printed.
  bool parse(const std::string& usage, const std::vector<std::string>& args);
  // Both sets' features, checked comparable (load_feature_pair).
  std::pair<FeatureSource, FeatureSource> load() const;
};

// REAL's and FAKE's features (images or statistics files), checked comparable.
std::pair<FeatureSource, FeatureSource> load_feature_pair(const std::string& real, const std::string& fake,
                                                          const FeatureInputFlags& flags, const CommonFlags& common);

// The provenance fields every feature metric prints with --json.
nlohmann::json provenance_json(const FeatureSource& real, const FeatureSource& fake);

}  // namespace gankit::cli
