// gan-eval prdc REAL FAKE
#include <fmt/format.h>

#include <algorithm>

#include "error.h"
#include "feature_inputs.h"
#include "gan_eval_commands.h"
#include "prdc.h"
#include "report.h"

namespace gankit::cli {

int eval_prdc(const std::string& prog, const std::vector<std::string>& args) {
  FeaturePairCommand cmd;
  PrdcOptions opt;
  cmd.options.add_options()("k-pr", defaulted(&opt.k_pr),
                            "neighbourhood size of precision and recall (Kynkaanniemi: 3)")(
      "k-dc", defaulted(&opt.k_dc), "neighbourhood size of density and coverage (Naeem: 5)");
  const std::string usage = fmt::format(
      "Usage: {} REAL FAKE --backbone B [options]\n\n"
      "Precision and recall (Kynkaanniemi et al. 2019) and density and coverage (Naeem et al. 2020) in feature\n"
      "space: each point's radius is the distance to its k-th nearest neighbour in its own set; precision = share\n"
      "of fakes inside some real's radius, recall = share of reals inside some fake's, density = mean count of\n"
      "real radii around a fake / k, coverage = share of reals with a fake inside their radius. Strict\n"
      "comparisons, as clovaai's reference code (which uses one k for all four: pass --k-pr K --k-dc K).\n"
      "Higher is better; density can exceed 1.",
      prog);
  if (!cmd.parse(usage, args)) return 0;
  GANKIT_CHECK_USAGE(opt.k_pr >= 1, "--k-pr {} must be positive", opt.k_pr);
  GANKIT_CHECK_USAGE(opt.k_dc >= 1, "--k-dc {} must be positive", opt.k_dc);
  const auto [r, f] = cmd.load();
  for (const auto& [k, option] : {std::pair{opt.k_pr, "--k-pr"}, std::pair{opt.k_dc, "--k-dc"}})
    for (const auto& [rows, set] : {std::pair{r.features.rows, "real"}, std::pair{f.features.rows, "fake"}})
      GANKIT_CHECK_USAGE(rows > k,
                         "{} {} needs at least {} images in each set (a point's k-th neighbour within its own set), "
                         "but the {} set has {}: pass {} {} or fewer",
                         option, k, k + 1, set, rows, option, std::max<int64_t>(rows - 1, 1));
  const PrdcResult p = precision_recall_density_coverage(r.features, f.features, opt);
  Summary({"metric", "value"})
      .also("metric", "prdc")
      .add("precision", p.precision, fmt::format("{:.4f}", p.precision), fmt::format("precision (k={})", opt.k_pr))
      .add("recall", p.recall, fmt::format("{:.4f}", p.recall), fmt::format("recall (k={})", opt.k_pr))
      .add("density", p.density, fmt::format("{:.4f}", p.density), fmt::format("density (k={})", opt.k_dc))
      .add("coverage", p.coverage, fmt::format("{:.4f}", p.coverage), fmt::format("coverage (k={})", opt.k_dc))
      .also("k_pr", opt.k_pr)
      .also("k_dc", opt.k_dc)
      .also("rechecked_pairs", p.rechecked)
      .row("images (real, fake)", fmt::format("{}, {}", r.features.rows, f.features.rows))
      .row("backbone", r.backbone.describe())
      .also(provenance_json(r, f))
      .emit(cmd.common.json);
  return 0;
}

}  // namespace gankit::cli
