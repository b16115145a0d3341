// The subcommands of gan-data, one file each.
#pragma once

#include <string>
#include <vector>

namespace gankit::cli {
int data_import(const std::string& prog, const std::vector<std::string>& args);
int data_export(const std::string& prog, const std::vector<std::string>& args);
int data_celebahq(const std::string& prog, const std::vector<std::string>& args);
int data_faces(const std::string& prog, const std::vector<std::string>& args);
int data_dedup(const std::string& prog, const std::vector<std::string>& args);
int data_info(const std::string& prog, const std::vector<std::string>& args);
}  // namespace gankit::cli
