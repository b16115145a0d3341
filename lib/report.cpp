#include "report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace gankit {

namespace {
// A cell that is one number (e.g. "12", "-3.5", "1e-4") is right-aligned.
bool numeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}
}  // namespace

std::string Table::to_string() const {
  std::vector<size_t> width(header_.size(), 0);
  std::vector<bool> right(header_.size(), !rows_.empty());
  for (size_t i = 0; i < header_.size(); ++i) width[i] = header_[i].size();
  for (const auto& row : rows_)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
      if (!numeric(row[i])) right[i] = false;
    }
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      std::string pad(width[i] - cell.size(), ' ');
      out += (i ? "  " : "") + (right[i] ? pad + cell : cell + pad);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_);
  size_t total = 0;
  for (size_t w : width) total += w;
  out += std::string(total + 2 * (width.empty() ? 0 : width.size() - 1), '-') + "\n";
  for (const auto& r : rows_) out += line(r);
  return out;
}

void emit(const nlohmann::json& json, const Table& table, bool as_json) {
  std::string text = as_json ? json.dump() + "\n" : table.to_string();
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

Summary& Summary::add(const std::string& key, const nlohmann::json& value, std::string text, std::string label) {
  json_[key] = value;
  if (label.empty()) {
    label = key;
    std::replace(label.begin(), label.end(), '_', ' ');
  }
  if (text.empty()) text = value.is_string() ? value.get<std::string>() : value.dump();
  table_.add_row({std::move(label), std::move(text)});
  return *this;
}

Summary& Summary::also(const std::string& key, const nlohmann::json& value) {
  json_[key] = value;
  return *this;
}

Summary& Summary::also(const nlohmann::json& fields) {
  json_.update(fields);
  return *this;
}

Summary& Summary::row(const std::string& label, std::string text) {
  table_.add_row({label, std::move(text)});
  return *this;
}

}  // namespace gankit
