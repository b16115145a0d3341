// gan-eval svm FEATURES.h5
#include <fmt/format.h>

#include "cli.h"
#include "error.h"
#include "feature_store.h"
#include "gan_eval_commands.h"
#include "report.h"
#include "svm_protocol.h"

namespace gankit::cli {

int eval_svm(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  SvmOptions opt;
  std::string path, cs;
  po::options_description desc("Options");
  desc.add_options()("features", po::value(&path)->required(), "feature file from gan-eval features")(
      "protocol", defaulted(&opt.protocol),
      "cifar10 (every training label) | svhn | fashion-mnist (1000 labels, C chosen on validation)")(
      "C", po::value(&cs)->default_value("1e-4,2e-4,5e-4,1e-3,2e-3,5e-3,1e-2"),
      "the C values to search, comma-separated")("draws", defaulted(&opt.draws), "labelled draws per C in the search")(
      "final-draws", defaulted(&opt.final_draws), "draws at the chosen C, scored on test")(
      "labels-per-class", defaulted(&opt.labels_per_class), "labelled examples per class and draw")(
      "validation", defaulted(&opt.validation), "examples split off train to choose C")(
      "train-split", defaulted(&opt.train_split), "split to train (and validate) on")(
      "test-split", defaulted(&opt.test_split), "split to report the error on")(
      "seed", defaulted(&opt.seed), "seed of the validation split, the draws and liblinear");
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("features", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} FEATURES.h5 [options]\n\n"
      "DCGAN's representation benchmark: linear L2-SVMs (liblinear L2R_L2LOSS_SVC_DUAL = scikit-learn's\n"
      "LinearSVC) on the features of gan-eval features. svhn / fashion-mnist: 10000 validation examples split\n"
      "off train choose C (10 draws of 100 labels per class each); 100 fresh draws at that C give the test\n"
      "error, reported as mean +- 1.96 std. cifar10: every training label; C chosen on validation when several\n"
      "are given. DCGAN reports 82.8% CIFAR-10 accuracy and 22.48% SVHN error with 1000 labels.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  opt.cs = parse_number_list(cs, "--C");  // positivity is checked with the protocol
  opt.progress = common.progress_options();
  const FeatureReader features(path);
  const SvmReport r = run_svm_protocol(features, opt);

  nlohmann::json search = nlohmann::json::array();
  Table t({"C", "validation error %", "+- 1.96 std", "draws"});
  for (const auto& row : r.search) {
    search.push_back({{"C", row.c}, {"errors", row.errors}, {"mean", row.mean}, {"std", row.std}});
    t.add_row({fmt::format("{:g}{}", row.c, row.c == r.best_c ? " *" : ""), fmt::format("{:.2f}", row.mean),
               fmt::format("{:.2f}", 1.96 * row.std), std::to_string(row.errors.size())});
  }
  const auto attr = [&](const char* k) {
    auto it = features.attributes().find(k);
    return it == features.attributes().end() ? std::string() : it->second;
  };
  const nlohmann::json j = {{"command", "svm"},
                            {"features", path},
                            {"kind", attr("kind")},
                            {"protocol", r.protocol},
                            {"dims", r.dim},
                            {"classes", r.classes},
                            {"labelled_examples", r.train_examples},
                            {"pool", r.pool},
                            {"validation", r.validation},
                            {"test", r.test},
                            {"seed", opt.seed},
                            {"search", search},
                            {"best_C", r.best_c},
                            {"test_errors", r.test_errors},
                            {"test_error", r.test_mean},
                            {"test_error_std", r.test_std},
                            {"test_error_ci95", 1.96 * r.test_std},
                            {"test_accuracy", 100.0 - r.test_mean},
                            {"seconds", r.seconds}};
  if (common.json) {
    emit(j, t, true);
    return 0;
  }
  if (!r.search.empty()) std::printf("%s\n", t.to_string().c_str());
  std::printf("%s features (%lld dims, %s), protocol %s: %lld labelled examples per fit, %zu fit(s) at C = %g\n",
              attr("kind").empty() ? "unknown" : attr("kind").c_str(), static_cast<long long>(r.dim), path.c_str(),
              r.protocol.c_str(), static_cast<long long>(r.train_examples), r.test_errors.size(), r.best_c);
  if (r.test_errors.size() > 1)
    std::printf("test error: %.2f%% +- %.2f%% (1.96 std over %zu draws; accuracy %.2f%%) on %lld test examples\n",
                r.test_mean, 1.96 * r.test_std, r.test_errors.size(), 100.0 - r.test_mean,
                static_cast<long long>(r.test));
  else
    std::printf("test error: %.2f%% (accuracy %.2f%%) on %lld test examples\n", r.test_mean, 100.0 - r.test_mean,
                static_cast<long long>(r.test));
  std::printf("time: %.1f s\n", r.seconds);
  return 0;
}

}  // namespace gankit::cli
