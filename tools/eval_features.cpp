// gan-eval features [CKPT] DATA.h5 OUT.h5
#include <fmt/format.h>

#include "cli.h"
#include "error.h"
#include "feature_extraction.h"
#include "gan_eval_commands.h"
#include "report.h"

namespace gankit::cli {

int eval_features(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  FeatureJob job;
  std::vector<std::string> positional, extra_splits;
  std::string layers = "all", bn = "data";
  bool raw = false, random_init = false;
  po::options_description desc("Options");
  desc.add_options()("inputs", po::value(&positional)->multitoken(), "CKPT DATA.h5 OUT.h5")(
      "split", po::value(&extra_splits)->multitoken(),
      "NAME=FILE.h5: another split to extract, e.g. test=fm_test.h5 (repeatable; DATA.h5 is 'train')")(
      "layers", po::value(&layers)->default_value("all"),
      "conv layers of D: all, or indices like 0,2 (0 = input side)")(
      "pool", defaulted(&job.pool), "max-pool each layer to a POOL x POOL grid (a power of two)")(
      "raw-pixels", po::bool_switch(&raw), "baseline: the pixels themselves in [-1, 1] (no CKPT)")(
      "random-init", po::bool_switch(&random_init),
      "baseline: CKPT's architecture with fresh DCGAN initialisation from --seed")("seed", defaulted(&job.seed),
                                                                                   "seed of --random-init weights")(
      "bn-stats", po::value(&bn)->default_value("data"),
      "BatchNorm statistics: data = re-estimated over DATA.h5 (DCGAN's code), checkpoint = D's running averages")(
      "bn-images", defaulted(&job.bn_images), "images of DATA.h5 for the estimate (0 = all)")(
      "resolution", defaulted(&job.resolution), "--raw-pixels: the level to read (default largest)")(
      "batch", defaulted(&job.batch), "images per forward pass (memory; features agree to float rounding, ~1e-5)")(

      "overwrite", po::bool_switch(&job.overwrite), "replace OUT.h5 if it exists");
  add_compute_options(desc, &job.device, &job.threads, "where the discriminator runs");
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("inputs", -1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {0} CKPT DATA.h5 OUT.h5 [--split test=TEST.h5] [options]\n"
      "       {0} DATA.h5 OUT.h5 --raw-pixels [--split test=TEST.h5]\n\n"
      "DCGAN's discriminator features (Radford et al. 2016, section 5.1) of every image of our HDF5 pyramids:\n"
      "each conv layer's activation after its LeakyReLU, max-pooled to a 4x4 grid, flattened and concatenated\n"
      "(a 32x32 D with --ndf 64 gives 7168 features). D runs in eval mode; its BatchNorm statistics are\n"
      "re-estimated over DATA.h5 as DCGAN's SVHN code does, because the averages kept while training mix real\n"
      "and generated minibatches. CKPT: a gan-train run folder or checkpoint file. OUT.h5 holds one\n"
      "(N, D) float32 matrix and the labels per split, for gan-eval svm; it appears only when complete.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(!(raw && random_init), "--raw-pixels and --random-init are two different baselines: pick one");
  const size_t want = raw ? 2 : 3;
  GANKIT_CHECK_USAGE(positional.size() == want, "expected {} (got {} arguments)",
                     raw ? "DATA.h5 OUT.h5 with --raw-pixels" : "CKPT DATA.h5 OUT.h5", positional.size());
  job.kind = raw ? FeatureKind::RawPixels : random_init ? FeatureKind::RandomInit : FeatureKind::Discriminator;
  if (!raw) job.checkpoint = positional[0];
  job.splits.push_back({"train", positional[want - 2]});
  job.out = positional[want - 1];
  for (const std::string& s : extra_splits) {
    const size_t eq = s.find('=');
    GANKIT_CHECK_USAGE(eq != std::string::npos && eq > 0 && eq + 1 < s.size(), "--split {}: expected NAME=FILE.h5", s);
    const std::string name = s.substr(0, eq);
    for (const auto& have : job.splits)
      GANKIT_CHECK_USAGE(have.name != name, "--split {}: split '{}' is given twice", s, name);
    job.splits.push_back({name, s.substr(eq + 1)});
  }
  if (layers != "all")
    for (double v : parse_number_list(layers, "--layers")) {
      GANKIT_CHECK_USAGE(v >= 0 && v == static_cast<int>(v), "--layers '{}': expected 'all' or indices like 0,1,2",
                         layers);
      job.layers.push_back(static_cast<int>(v));
    }
  GANKIT_CHECK_USAGE(bn == "data" || bn == "checkpoint", "--bn-stats {}: expected data or checkpoint", bn);
  GANKIT_CHECK_USAGE(!(bn == "checkpoint" && random_init),
                     "--bn-stats checkpoint: a --random-init D has no statistics; they are estimated over the data");
  job.bn = bn == "data" ? BnStatistics::Data : BnStatistics::Checkpoint;
  job.progress = common.progress_options();

  const FeatureJobSummary s = extract_features(job);

  int64_t images = 0;
  nlohmann::json splits = nlohmann::json::object();
  for (const auto& [name, count] : s.split_counts) {
    splits[name] = count;
    images += count;
  }
  nlohmann::json layer_json = nlohmann::json::array();
  Table t({"layer", "maps", "size", "pooled to", "features"});
  for (const FeatureLayer& l : s.layout.layers) {
    layer_json.push_back(
        {{"index", l.index}, {"maps", l.channels}, {"size", l.size}, {"pooled", l.pooled}, {"features", l.dims}});
    t.add_row({std::to_string(l.index), std::to_string(l.channels), fmt::format("{0}x{0}", l.size),
               fmt::format("{0}x{0}", l.pooled), std::to_string(l.dims)});
  }
  if (s.kind == FeatureKind::RawPixels)
    t.add_row({"pixels", std::to_string(s.channels), fmt::format("{0}x{0}", s.resolution), "-",
               std::to_string(s.layout.dims)});
  t.add_row({"total", "", "", "", std::to_string(s.layout.dims)});
  const nlohmann::json j = {{"command", "features"},
                            {"kind", to_string(s.kind)},
                            {"output", job.out.string()},
                            {"resolution", s.resolution},
                            {"channels", s.channels},
                            {"dims", s.layout.dims},
                            {"layers", layer_json},
                            {"splits", splits},
                            {"bn_statistics", s.bn_statistics},
                            {"seconds", s.seconds},
                            {"images_per_second", s.seconds > 0 ? images / s.seconds : 0.0}};
  emit(j, t, common.json);
  if (!common.json) {
    std::string counts;
    for (const auto& [name, count] : s.split_counts)
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", name, count);
    std::printf("%s features of %s images (%s) -> %s\nBatchNorm statistics: %s\ntime: %.1f s (%.0f images/s)\n",
                to_string(s.kind), counts.c_str(), fmt::format("{0}x{0}x{1}", s.resolution, s.channels).c_str(),
                job.out.c_str(), s.bn_statistics.c_str(), s.seconds, s.seconds > 0 ? images / s.seconds : 0.0);
  }
  return 0;
}

}  // namespace gankit::cli
