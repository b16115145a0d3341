// The subcommands of gan-eval, one file each.
#pragma once

#include <string>
#include <vector>

namespace gankit::cli {
int eval_swd(const std::string& prog, const std::vector<std::string>& args);
int eval_msssim(const std::string& prog, const std::vector<std::string>& args);
int eval_features(const std::string& prog, const std::vector<std::string>& args);
int eval_svm(const std::string& prog, const std::vector<std::string>& args);
int eval_fid(const std::string& prog, const std::vector<std::string>& args);
int eval_kid(const std::string& prog, const std::vector<std::string>& args);
int eval_prdc(const std::string& prog, const std::vector<std::string>& args);
int eval_stats(const std::string& prog, const std::vector<std::string>& args);
int eval_compare(const std::string& prog, const std::vector<std::string>& args);
}  // namespace gankit::cli
