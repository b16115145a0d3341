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

// A command's result as one ordered list of fields, from which both outputs are made: the JSON
// object (--json) and a two-column table for people. A field is a JSON key and value and, in the
// table, a row: its label (the key with '_' shown as ' ', unless given) and its text (the value,
// unless given: a row may say more, "12 of 14 rows (2 skipped)"). Numbers such a row already
// shows are JSON-only fields (also()); a line for people alone is a row().
class Summary {
 public:
  explicit Summary(std::vector<std::string> header = {"field", "value"}) : table_(std::move(header)) {}
  Summary& add(const std::string& key, const nlohmann::json& value, std::string text = {}, std::string label = {});
  Summary& also(const std::string& key, const nlohmann::json& value);
  Summary& also(const nlohmann::json& fields);  // each of an object's fields
  Summary& row(const std::string& label, std::string text);
  const nlohmann::json& json() const { return json_; }
  const Table& table() const { return table_; }
  void emit(bool as_json) const { gankit::emit(json_, table_, as_json); }

 private:
  nlohmann::json json_ = nlohmann::json::object();
  Table table_;
};

}  // namespace gankit
