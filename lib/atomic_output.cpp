#include "atomic_output.h"

#include <csignal>
#include <fstream>
#include <cstring>
#include <mutex>
#include <unistd.h>
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

}  // namespace

void AtomicOutput::check_target() const {
  GANKIT_CHECK_USAGE(!target_.empty(), "output path is empty");
  fs::path dir = target_.parent_path();
  if (dir.empty()) dir = ".";
  GANKIT_CHECK_DATA(fs::is_directory(dir), "cannot write {}: folder {} does not exist", target_.string(),
                    dir.string());
  GANKIT_CHECK_DATA(access(dir.c_str(), W_OK) == 0, "cannot write {}: folder {} is not writable",
                    target_.string(), dir.string());
  GANKIT_CHECK_DATA(overwrite_ || !fs::exists(target_), "output {} exists (pass --overwrite to replace it)",
                    target_.string());
}

AtomicOutput::AtomicOutput(fs::path target, bool overwrite)
    : target_(std::move(target)), overwrite_(overwrite) {
  check_target();
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
  std::error_code ec;
  if (overwrite_ && fs::exists(target_) && fs::is_directory(target_)) fs::remove_all(target_, ec);
  fs::rename(temp_, target_, ec);
  GANKIT_CHECK(!ec, Internal, "cannot rename {} to {}: {}", temp_.string(), target_.string(), ec.message());
  committed_ = true;
  unregister_live(temp_);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  AtomicOutput output(path, true);
  std::ofstream out(output.temp_path(), std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  GANKIT_CHECK_DATA(!out.fail(), "cannot write {}", path.string());
  output.commit();
}

}  // namespace gankit
