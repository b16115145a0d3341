// Helpers shared by the test suites: a temporary folder per test, and running the real binaries.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "buffer.h"
#include "error.h"
#include "image_batch.h"

namespace gankit::test {

// A fresh folder under the system temp dir, removed with the fixture. Its name holds a space
// ("gankit test-XXXXXX"), so every test that writes there shows that the tools, the scripts and
// run() take paths with spaces.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// A failed run: exit code `code`, nothing on stdout, and exactly one line on stderr that
// contains `needle` (our contract for every bad input).
void expect_cli_error(const RunResult& r, int code, const std::string& needle);

// One or more arguments of a command line. A path or a text is one argument, spaces and all;
// flags("--steps 1 -q") splits flag text on blanks (never put a path in it); a number is its text.
struct Command;
struct Args {
  Args(const Command& command);  // all its arguments
  Args(const char* text) : items{text} {}
  Args(std::string text) : items{std::move(text)} {}
  Args(const std::filesystem::path& path) : items{path.string()} {}
  template <class T>
  requires std::is_arithmetic_v<T> Args(T number) : items{fmt::format("{}", number)} {}
  std::vector<std::string> items;
};
Args flags(std::string_view text);

// A command line run without a shell: argv[0] is looked up on PATH, every other argument is
// passed as it is (a path with spaces stays one argument).
struct Command {
  Command() = default;
  Command(std::initializer_list<Args> args) { add(args); }
  // A copy with `args` appended.
  Command with(std::initializer_list<Args> args) const;
  Command& add(std::initializer_list<Args> args);
  std::vector<std::string> argv;
};

struct RunOptions {
  std::vector<std::pair<std::string, std::string>> env = {};  // set on top of this process's environment
  int64_t file_size_limit_bytes = -1;                         // RLIMIT_FSIZE: a write past it fails (EFBIG)
  int64_t address_space_limit_bytes = -1;                     // RLIMIT_AS: a huge allocation fails
  std::filesystem::path cwd = {};                             // the working folder; empty: this process's
};

// A started command, its stdout and stderr captured; wait() reaps it (the destructor kills and
// reaps one still running).
class Process {
 public:
  explicit Process(const Command& command, const RunOptions& options = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  int pid() const { return pid_; }
  void signal(int sig) const;
  RunResult wait();

 private:
  TempDir dir_;
  int pid_ = -1;
};

RunResult run(const Command& command, const RunOptions& options = {});
// Polls `done` every `period_s` until it holds or `timeout_s` passes; returns whether it held.
bool wait_until(const std::function<bool()>& done, double timeout_s, double period_s = 0.02);
// Path of a built executable (GANKIT_BIN_DIR/name, or $GANKIT_TEST_BIN_DIR/name when set).
std::string bin(const std::string& name);
inline std::string gan_data() { return bin("gan-data"); }
inline std::string gan_eval() { return bin("gan-eval"); }
inline std::string gan_train() { return bin("gan-train"); }

void write_bytes(const std::filesystem::path& path, const std::string& bytes);
std::string read_bytes(const std::filesystem::path& path);
// The records of a JSON-lines file (a run's log.jsonl), in order.
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path);

// Names under `dir` (recursively) that look like temporaries or partial outputs (OUT.tmp-PID,
// OUT.partial): what a failed or killed command must not leave behind.
std::vector<std::string> leftover_temporaries(const std::filesystem::path& dir);

// An environment variable set to `value` (or unset, with std::nullopt) for the scope, restored
// after it (also when an assertion ends the test early).
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

// TMPDIR set to a new folder `dir` for the scope.
class TempDirAt {
 public:
  explicit TempDirAt(const std::filesystem::path& dir);

 private:
  std::optional<ScopedEnv> env_;
};

// Whether this process holds a file open under `dir` (an unlinked temporary has no name there).
bool has_open_file_in(const std::filesystem::path& dir);

// The message of the gankit::Error that `fn` throws ("no error" when it throws none); its kind in
// `*kind` when given.
std::string error_of(const std::function<void()>& fn, ErrorKind* kind = nullptr);
// An Error's message as the tools print it: each setting named by its flag ("--probe-distance"
// for the library's probe_distance, error.h). error_of() returns this.
std::string cli_message(const Error& e);

// Writes a .npy file: `descr` as numpy spells the dtype ("<f4", "<i8", "|u1"), `shape` its
// dimensions, `data` the C-order bytes.
void write_npy(const std::filesystem::path& path, const std::string& descr, const std::vector<int64_t>& shape,
               const void* data, size_t bytes);

// Deterministic pseudo-random bytes.
ByteBuffer random_bytes(size_t n, uint32_t seed);
// A batch of n x c x h x w random pixels (random_bytes(..., seed)).
ImageBatch random_batch(int n, int c, int h, int w, uint32_t seed = 3);

// The Debian Fashion-MNIST folder (dataset-fashion-mnist), or "" when not installed.
std::string fashion_mnist_dir();

}  // namespace gankit::test
