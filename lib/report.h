// Results for people and for machines: an aligned text table for stdout, or one JSON object
// (--json). Logs and progress never go to stdout, so `--json` output is always parseable.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gankit {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns padded to their widest cell; a column whose cells are all numbers is right-aligned
  // (header included), any other column left-aligned.
  std::string to_string() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Prints `json` (one line) when as_json, else the table, to stdout.
void emit(const nlohmann::json& json, const Table& table, bool as_json);

}  // namespace gankit
