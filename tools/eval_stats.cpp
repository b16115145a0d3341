// gan-eval stats IMAGES --backbone B --out STATS.h5
#include <fmt/format.h>

#include "atomic_output.h"
#include "error.h"
#include "feature_inputs.h"
#include "gan_eval_commands.h"
#include "report.h"

namespace gankit::cli {

int eval_stats(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  FeatureInputFlags flags;
  std::string input, out;
  bool overwrite = false;
  po::options_description desc("Options");
  desc.add_options()("input", po::value(&input)->required(), "images: folder, .npy/.npz or .h5")(
      "out", po::value(&out)->required(), "the statistics file to write (HDF5)")(
      "overwrite", po::bool_switch(&overwrite), "replace OUT if it exists");
  add_feature_input_options(desc, flags);
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} IMAGES --backbone B --out STATS.h5 [options]\n\n"
      "Runs a set of images through the backbone once and keeps the features, with the backbone's hash, the\n"
      "resize mode and the images' fingerprint, for fid, kid and prdc (give STATS.h5 in place of REAL) and for\n"
      "gan-eval compare. A statistics file is refused by a later call with another backbone or --resize.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(!flags.backbone.empty(), "give --backbone FILE.pt or d:RUN");
  GANKIT_CHECK_USAGE(!is_stats_file(input), "{} is already a statistics file", input);
  const BackboneSpec spec = backbone_spec(flags);
  { AtomicOutput precheck(out, overwrite); }  // a bad output path fails before the long work
  const FeatureSource s = feature_source(input, spec, image_options(flags, common), "images");
  write_stats_file(out, s, overwrite);
  Summary()
      .add("out", out, {}, "statistics")
      .also("input", input)
      .add("num_images", s.features.rows, fmt::format("{} ({})", s.features.rows, s.fingerprint), "images")
      .also("input_fingerprint", s.fingerprint)
      .add("feature_dim", s.features.dim, {}, "features")
      .add("backbone", s.backbone.name, s.backbone.describe())
      .also("backbone_hash", s.backbone.hash)
      .also("input_size", s.backbone.input_size)
      .also("resize", s.backbone.resize)
      .emit(common.json);
  return 0;
}

}  // namespace gankit::cli
