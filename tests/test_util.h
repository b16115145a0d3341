// Helpers shared by the test suites: a temporary folder per test, and running the real binaries.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "buffer.h"
#include "error.h"

namespace gankit::test {

// A fresh folder under the system temp dir, removed with the fixture.
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

// Runs `command` with /bin/sh, capturing stdout and stderr separately.
RunResult run(const std::string& command);
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

// The Debian Fashion-MNIST folder (dataset-fashion-mnist), or "" when not installed.
std::string fashion_mnist_dir();

}  // namespace gankit::test
