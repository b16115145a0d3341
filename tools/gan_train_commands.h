// The subcommands of gan-train, one file each.
#pragma once

#include <string>
#include <vector>

namespace gankit::cli {
int train_run(const std::string& prog, const std::vector<std::string>& args);
int train_sample(const std::string& prog, const std::vector<std::string>& args);
int train_interpolate(const std::string& prog, const std::vector<std::string>& args);
}  // namespace gankit::cli
