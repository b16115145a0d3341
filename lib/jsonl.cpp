#include "jsonl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atomic_output.h"
#include "error.h"

namespace gankit {
namespace fs = std::filesystem;

std::vector<nlohmann::json> read_jsonl(const fs::path& path, bool allow_torn_tail) {
  std::vector<nlohmann::json> out;
  if (!fs::exists(path)) return out;
  std::ifstream in(path, std::ios::binary);
  GANKIT_CHECK_DATA(in.good(), "cannot read {}", path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  size_t line_start = 0;
  for (int64_t line = 1; line_start < text.size(); ++line) {
    const size_t end = text.find('\n', line_start);
    const bool torn = end == std::string::npos;
    const std::string body = text.substr(line_start, torn ? std::string::npos : end - line_start);
    line_start = torn ? text.size() : end + 1;
    if (body.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (torn && allow_torn_tail && (j.is_discarded() || !j.is_object())) break;
    GANKIT_CHECK_DATA(!j.is_discarded(), "{} line {}: not valid JSON: {}", path.string(), line, body.substr(0, 60));
    GANKIT_CHECK_DATA(j.is_object(), "{} line {}: not a JSON object: {}", path.string(), line, body.substr(0, 60));
    out.push_back(std::move(j));
  }
  return out;
}

namespace {

// A last line without its newline (an appender killed mid-write) is cut off, so the next record
// starts on a line of its own.
void drop_torn_tail(int fd) {
  off_t end = ::lseek(fd, 0, SEEK_END);
  char c = '\n';
  if (end <= 0 || ::pread(fd, &c, 1, end - 1) != 1 || c == '\n') return;
  std::string chunk;
  for (off_t pos = end; pos > 0;) {
    const off_t from = std::max<off_t>(0, pos - 4096);
    chunk.resize(static_cast<size_t>(pos - from));
    if (::pread(fd, chunk.data(), chunk.size(), from) != static_cast<ssize_t>(chunk.size())) return;
    const size_t nl = chunk.rfind('\n');
    if (nl != std::string::npos) {
      if (::ftruncate(fd, from + static_cast<off_t>(nl) + 1) != 0) return;
      return;
    }
    pos = from;
  }
  if (::ftruncate(fd, 0) != 0) return;
}

}  // namespace

void append_jsonl(const fs::path& path, const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  GANKIT_CHECK_DATA(fd >= 0, "cannot write {}: {}", path.string(), std::strerror(errno));
  drop_torn_tail(fd);
  const off_t before = ::lseek(fd, 0, SEEK_END);
  errno = 0;
  const ssize_t written = ::write(fd, line.data(), line.size());
  const int write_errno = errno;
  const bool complete = written == static_cast<ssize_t>(line.size());
  if (!complete && before >= 0 && ::ftruncate(fd, before) != 0) {
    // The torn line stays; the next append cuts it off.
  }
  const bool synced = complete && ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  GANKIT_CHECK_DATA(complete, "cannot write {}: {}", path.string(),
                    describe_write_errno(write_errno ? write_errno : ENOSPC));
  GANKIT_CHECK_DATA(synced, "cannot write {}: {}", path.string(), describe_write_errno(sync_errno));
}

}  // namespace gankit
