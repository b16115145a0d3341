#include "atomic_output.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "error.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

// Live temporaries, cleaned by the signal handler. Fixed-size C strings so the handler only
// touches memory that stays valid and calls async-signal-safe functions (unlink).
constexpr int kMaxLive = 16;
char g_live[kMaxLive][4096];
volatile std::sig_atomic_t g_used[kMaxLive];
std::mutex g_mutex;

extern "C" void cleanup_handler(int sig) {
  for (int i = 0; i < kMaxLive; ++i)
    if (g_used[i]) unlink(g_live[i]);  // folders (export) stay as *.tmp-<pid>: never the final name
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_handlers_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::signal(SIGINT, cleanup_handler);
    std::signal(SIGTERM, cleanup_handler);
  });
}

void register_live(const fs::path& p) {
  std::lock_guard<std::mutex> lock(g_mutex);
  for (int i = 0; i < kMaxLive; ++i) {
    if (!g_used[i]) {
      std::strncpy(g_live[i], p.c_str(), sizeof(g_live[i]) - 1);
      g_used[i] = 1;
      return;
    }
  }
}

void unregister_live(const fs::path& p) {
  std::lock_guard<std::mutex> lock(g_mutex);
  for (int i = 0; i < kMaxLive; ++i)
    if (g_used[i] && p == g_live[i]) g_used[i] = 0;
}

// The inputs of the process: a key of (device, inode, change time) -> the path first seen and a
// count of holders (kPersistent for note_input()).
constexpr long kPersistent = 1L << 40;
struct InputEntry {
  std::string path;
  long holders = 0;
};
std::mutex g_inputs_mutex;
std::map<std::string, InputEntry> g_inputs;

// "" when `p` does not exist.
std::string file_key(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return {};
  return fmt::format("{}:{}:{}.{}", st.st_dev, st.st_ino, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

// Whether `a` and `b` are one file now (device and inode).
bool same_file(const fs::path& a, const fs::path& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void add_input(const std::string& key, const fs::path& path, long holders) {
  std::lock_guard<std::mutex> lock(g_inputs_mutex);
  InputEntry& e = g_inputs[key];
  if (e.path.empty()) e.path = path.string();
  e.holders += holders;
}

void remove_input(const std::string& key, long holders) {
  std::lock_guard<std::mutex> lock(g_inputs_mutex);
  auto it = g_inputs.find(key);
  if (it == g_inputs.end()) return;
  it->second.holders -= holders;
  if (it->second.holders <= 0) g_inputs.erase(it);
}

// A name gankit writes into an image folder: 8 or more digits + ".png", or labels.csv.
bool is_our_folder_entry(const std::string& name) {
  if (name == "labels.csv") return true;
  if (name.size() < 12 || name.compare(name.size() - 4, 4, ".png") != 0) return false;
  for (size_t i = 0; i + 4 < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return true;
}

// What a report folder (gan-eval compare) holds: index.html, results.csv, summary.json and
// images/ with PNG files only.
bool is_our_report_entry(const fs::directory_entry& e) {
  const std::string name = e.path().filename().string();
  if (e.is_regular_file()) return name == "index.html" || name == "results.csv" || name == "summary.json";
  if (!e.is_directory() || e.is_symlink() || name != "images") return false;
  for (const auto& image : fs::directory_iterator(e.path()))
    if (!image.is_regular_file() || image.path().extension() != ".png") return false;
  return true;
}

// Removes "NAME.tmp-<pid>" entries beside `target` whose process no longer exists (a SIGKILL
// leaves them; no handler can run then).
void remove_stale_temporaries(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".tmp-";
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == getpid() || pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

}  // namespace

std::string describe_write_errno(int err) {
  switch (err) {
    case 0:
      return "write failed";
    case ENOSPC:
      return "disk full (ENOSPC)";
    case EFBIG:
      return "file size limit reached (EFBIG)";
    case EDQUOT:
      return "disk quota exceeded (EDQUOT)";
    default:
      return std::strerror(err);
  }
}

std::string output_name(const std::string& path) {
  const size_t at = path.rfind(".tmp-");
  if (at != std::string::npos && at + 5 < path.size() &&
      path.find_first_not_of("0123456789", at + 5) == std::string::npos)
    return path.substr(0, at);
  constexpr std::string_view partial = ".partial";
  if (path.size() > partial.size() && path.ends_with(partial)) return path.substr(0, path.size() - partial.size());
  return path;
}

void note_input(const fs::path& path) {
  const std::string key = file_key(path);
  if (!key.empty()) add_input(key, path, kPersistent);
}

InputFile::InputFile(const fs::path& path) : key_(file_key(path)) {
  if (!key_.empty()) add_input(key_, path, 1);
}

InputFile::~InputFile() {
  if (!key_.empty()) remove_input(key_, 1);
}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (!key_.empty()) remove_input(key_, 1);
    key_ = std::exchange(other.key_, {});
  }
  return *this;
}

void forget_input(const fs::path& path) {
  const std::string key = file_key(path);
  std::lock_guard<std::mutex> lock(g_inputs_mutex);
  g_inputs.erase(key);
}

void check_not_an_input(const fs::path& output, std::initializer_list<fs::path> inputs) {
  for (const fs::path& in : inputs)
    GANKIT_CHECK_USAGE(!same_file(output, in), "output {} is also an input ({}): write to another path",
                       output.string(), in.string());
  const std::string key = file_key(output);
  if (key.empty()) return;
  std::lock_guard<std::mutex> lock(g_inputs_mutex);
  auto it = g_inputs.find(key);
  GANKIT_CHECK_USAGE(it == g_inputs.end(), "output {} is also an input ({}): write to another path", output.string(),
                     it == g_inputs.end() ? "" : it->second.path);
}

void AtomicOutput::check_target() {
  GANKIT_CHECK_USAGE(!target_.empty(), "output path is empty");
  const std::string given = target_.string();
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(target_, ec);
  if (fs::is_symlink(link)) {
    // Write through the link: the file it points to is replaced, the link stays.
    GANKIT_CHECK_DATA(fs::exists(target_, ec) && kind_ == Kind::File, "output {} is a {}: refusing to replace it",
                      given, fs::exists(target_, ec) ? "symbolic link to a folder" : "dangling symbolic link");
    target_ = fs::canonical(target_);
  }
  fs::path dir = target_.parent_path();
  if (dir.empty()) dir = ".";
  GANKIT_CHECK_DATA(fs::is_directory(dir), "cannot write {}: folder {} does not exist", given, dir.string());
  GANKIT_CHECK_DATA(access(dir.c_str(), W_OK) == 0, "cannot write {}: folder {} is not writable", given, dir.string());
  const fs::file_status st = fs::status(target_, ec);
  if (!fs::exists(st)) return;
  if (kind_ == Kind::File) {
    GANKIT_CHECK_DATA(!fs::is_directory(st),
                      "output {} exists and is a folder: refusing to replace a folder with a file", given);
    GANKIT_CHECK_DATA(fs::is_regular_file(st),
                      "output {} is not a regular file (a device, pipe or socket): refusing "
                      "to replace it",
                      given);
  } else {
    GANKIT_CHECK_DATA(fs::is_directory(st), "output folder {} exists and is not a folder: refusing to replace it",
                      given);
  }
  GANKIT_CHECK_DATA(overwrite_, "output {} exists (pass " GANKIT_SETTING("overwrite") " to replace it)", given);
  check_not_an_input(target_);
  if (kind_ == Kind::ReportFolder) {
    for (const auto& e : fs::directory_iterator(target_))
      GANKIT_CHECK_DATA(is_our_report_entry(e),
                        "output folder {} holds {}, which gankit did not write: " GANKIT_SETTING("overwrite") " replaces only a report "
                        "folder (index.html, results.csv, summary.json, images/); remove it yourself or choose another "
                        "folder",
                        given, e.path().filename().string());
  }
  if (kind_ == Kind::ImageFolder) {
    for (const auto& e : fs::directory_iterator(target_)) {
      const std::string name = e.path().filename().string();
      GANKIT_CHECK_DATA(e.is_regular_file() && is_our_folder_entry(name),
                        "output folder {} holds {}, which gankit did not write: " GANKIT_SETTING("overwrite") " replaces only a folder of "
                        "our images (NNNNNNNN.png, labels.csv); remove it yourself or choose another folder",
                        given, name);
    }
  }
}

AtomicOutput::AtomicOutput(fs::path target, bool overwrite, Kind kind)
    : target_(std::move(target)), overwrite_(overwrite), kind_(kind) {
  check_target();
  remove_stale_temporaries(target_);
  temp_ = target_;
  temp_ += ".tmp-" + std::to_string(getpid());
  std::error_code ec;
  fs::remove_all(temp_, ec);
  install_handlers_once();
  register_live(temp_);
}

AtomicOutput::AtomicOutput(fs::path target, bool overwrite, Resumable)
    : target_(std::move(target)), overwrite_(overwrite), keep_partial_(true) {
  check_target();
  temp_ = target_;
  temp_ += ".partial";
}

AtomicOutput::~AtomicOutput() {
  unregister_live(temp_);
  if (!committed_ && !keep_partial_) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
  }
}

void AtomicOutput::commit() {
  // The target may have appeared, or an input been opened, since the constructor: check again.
  check_target();
  std::error_code ec;
  if (kind_ != Kind::File && fs::is_directory(target_)) fs::remove_all(target_, ec);  // checked: ours
  fs::rename(temp_, target_, ec);
  GANKIT_CHECK(!ec, Data, "cannot rename {} to {}: {}", temp_.string(), target_.string(), ec.message());
  committed_ = true;
  unregister_live(temp_);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  AtomicOutput output(path, true);
  std::ofstream out(output.temp_path(), std::ios::binary);
  errno = 0;
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  GANKIT_CHECK_DATA(!out.fail(), "cannot write {}: {}", path.string(), describe_write_errno(errno));
  output.commit();
}

}  // namespace gankit
