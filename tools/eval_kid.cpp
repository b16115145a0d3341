// gan-eval kid REAL FAKE
#include <fmt/format.h>

#include <algorithm>

#include "error.h"
#include "feature_inputs.h"
#include "gan_eval_commands.h"
#include "kid.h"
#include "report.h"

namespace gankit::cli {

int eval_kid(const std::string& prog, const std::vector<std::string>& args) {
  FeaturePairCommand cmd;
  KidOptions opt;
  cmd.options.add_options()("subsets", defaulted(&opt.subsets), "random subsets averaged over")(
      "subset-size", defaulted(&opt.subset_size), "feature vectors of each set per subset")(
      "seed", defaulted(&opt.seed), "seed of the subset draws (numpy RandomState; 2020 = torch-fidelity's)");
  const std::string usage = fmt::format(
      "Usage: {} REAL FAKE --backbone B [options]\n\n"
      "Kernel distance (KID with Inception features): the unbiased MMD^2 with the kernel (x.y/D + 1)^3,\n"
      "averaged over --subsets random subsets of --subset-size of each set, as torch-fidelity computes it (the\n"
      "same subsets for the same seed). Printed with the standard deviation over subsets. Lower is better;\n"
      "unlike FID it is unbiased, so values at different N compare.",
      prog);
  if (!cmd.parse(usage, args)) return 0;
  GANKIT_CHECK_USAGE(opt.subsets >= 1, "--subsets {} must be positive", opt.subsets);
  GANKIT_CHECK_USAGE(opt.subset_size >= 2, "--subset-size {} must be at least 2", opt.subset_size);
  const auto [r, f] = cmd.load();
  const int64_t smaller = std::min(r.features.rows, f.features.rows);
  GANKIT_CHECK_USAGE(smaller >= opt.subset_size,
                     "KID subsets of {} need at least {} images in each set, but the {} set has {}: pass "
                     "--subset-size {} or fewer",
                     opt.subset_size, opt.subset_size, r.features.rows <= f.features.rows ? "real" : "fake", smaller,
                     smaller);
  const KidResult k = kernel_distance(r.features, f.features, opt);
  Summary({"metric", "value"})
      .also("metric", "kid")
      .add("kid", k.mean, fmt::format("{:.6f}", k.mean), "KID")
      .add("kid_std", k.std, fmt::format("{:.6f}", k.std), "  std over subsets")
      .add("subsets", opt.subsets, fmt::format("{} x {} (seed {})", opt.subsets, opt.subset_size, opt.seed))
      .also("subset_size", opt.subset_size)
      .also("seed", opt.seed)
      .row("backbone", r.backbone.describe())
      .also(provenance_json(r, f))
      .emit(cmd.common.json);
  return 0;
}

}  // namespace gankit::cli
