#include "test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "jsonl.h"

namespace gankit::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "gankit-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

RunResult run(const std::string& command) {
  TempDir dir;
  const fs::path out = dir / "stdout", err = dir / "stderr";
  const std::string full = command + " >" + out.string() + " 2>" + err.string() + " </dev/null";
  int status = std::system(full.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_bytes(out);
  r.err = read_bytes(err);
  return r;
}

void expect_cli_error(const RunResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line expected:\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

std::string bin(const std::string& name) {
  // GANKIT_TEST_BIN_DIR runs the end-to-end tests against other binaries (an older build, to
  // show that a new test fails there).
  const char* dir = std::getenv("GANKIT_TEST_BIN_DIR");
  return std::string(dir && *dir ? dir : GANKIT_BIN_DIR) + "/" + name;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<nlohmann::json> read_jsonl(const fs::path& path) {
  return gankit::read_jsonl(path, false);  // strict: a torn last line fails the test too
}

std::vector<std::string> leftover_temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".tmp-") != std::string::npos || name.ends_with(".partial")) out.push_back(name);
  }
  return out;
}

ByteBuffer random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  ByteBuffer v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng() & 0xff);
  return v;
}

std::string fashion_mnist_dir() {
  const char* dir = "/usr/share/datasets/fashion-mnist";
  return fs::exists(fs::path(dir) / "t10k-images-idx3-ubyte.gz") ? dir : "";
}

std::string cli_message(const Error& e) {
  return e.message([](std::string_view setting) {
    std::string flag = "--" + std::string(setting);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
  });
}

std::string error_of(const std::function<void()>& fn, ErrorKind* kind) {
  try {
    fn();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    return cli_message(e);
  }
  return "no error";
}

void write_npy(const std::filesystem::path& path, const std::string& descr, const std::vector<int64_t>& shape,
               const void* data, size_t bytes) {
  std::string dims;
  for (const int64_t d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  if (shape.size() == 1) dims += ",";  // (N,): a one-element tuple
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string file("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xff);
  file += static_cast<char>(header.size() >> 8);
  file += header;
  file.append(static_cast<const char*>(data), bytes);
  write_bytes(path, file);
}

}  // namespace gankit::test
