// JSON-lines files (one JSON object per line): a run's log.jsonl and metrics.jsonl.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

namespace gankit {

// The objects of `path` in order ([] when the file does not exist). A line that is not a JSON
// object throws Error(Data) "PATH line N: ..." (never dropped silently), except a last line
// without its newline, which a writer killed mid-line leaves behind: it is ignored when
// `allow_torn_tail`.
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path, bool allow_torn_tail = true);

// Appends `record` as one line with a single write(2) on an O_APPEND descriptor, so concurrent
// appenders never interleave within a line, then fsyncs. Throws Error(Data) naming the path
// (a full disk named as such).
void append_jsonl(const std::filesystem::path& path, const nlohmann::json& record);

}  // namespace gankit
