// gan-eval fid REAL FAKE
#include <fmt/format.h>

#include "error.h"
#include "feature_inputs.h"
#include "fid.h"
#include "gan_eval_commands.h"
#include "report.h"

namespace gankit::cli {

int eval_fid(const std::string& prog, const std::vector<std::string>& args) {
  FeaturePairCommand cmd;
  const std::string usage = fmt::format(
      "Usage: {} REAL FAKE --backbone B [options]\n\n"
      "Frechet distance between the backbone features of two sets (FID with Inception v3's pool3 features):\n"
      "|mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)), in float64. Lower is better; two draws of one\n"
      "distribution give a positive floor that shrinks with N (use the same N when comparing values).",
      prog);
  if (!cmd.parse(usage, args)) return 0;
  const auto [r, f] = cmd.load();
  const FrechetTerms t = frechet_distance(feature_moments(r.features), feature_moments(f.features));
  const bool deficient = std::min(r.features.rows, f.features.rows) <= r.features.dim;
  if (deficient && !cmd.common.quiet)
    std::fprintf(stderr,
                 "note: %lld images for %lld feature dimensions: the covariances are rank-deficient; FID is biased "
                 "upwards at this N\n",
                 static_cast<long long>(std::min(r.features.rows, f.features.rows)),
                 static_cast<long long>(r.features.dim));
  Summary({"metric", "value"})
      .also("metric", "fid")
      .add("fid", t.value(), fmt::format("{:.4f}", t.value()), "FID")
      .add("mean_term", t.mean_term, fmt::format("{:.4f}", t.mean_term), "  |mu1 - mu2|^2")
      .add("trace_term", t.trace_term, fmt::format("{:.4f}", t.trace_term), "  trace term")
      .row("images (real, fake)", fmt::format("{}, {}", r.features.rows, f.features.rows))
      .row("backbone", r.backbone.describe())
      .also(provenance_json(r, f))
      .emit(cmd.common.json);
  return 0;
}

}  // namespace gankit::cli
