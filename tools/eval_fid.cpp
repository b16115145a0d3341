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
  nlohmann::json j = {{"metric", "fid"}, {"fid", t.value()}, {"mean_term", t.mean_term}, {"trace_term", t.trace_term}};
  j.update(provenance_json(r, f));
  Table table({"metric", "value"});
  table.add_row({"FID", fmt::format("{:.4f}", t.value())});
  table.add_row({"  |mu1 - mu2|^2", fmt::format("{:.4f}", t.mean_term)});
  table.add_row({"  trace term", fmt::format("{:.4f}", t.trace_term)});
  table.add_row({"images (real, fake)", fmt::format("{}, {}", r.features.rows, f.features.rows)});
  table.add_row({"backbone", r.backbone.describe()});
  emit(j, table, cmd.common.json);
  return 0;
}

}  // namespace gankit::cli
