#include "test_util.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "jsonl.h"

namespace gankit::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "gankit test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Args::Args(const Command& command) : items(command.argv) {}

Args flags(std::string_view text) {
  Args out("");
  out.items.clear();
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.items.push_back(word);
  return out;
}

Command& Command::add(std::initializer_list<Args> args) {
  for (const Args& a : args) argv.insert(argv.end(), a.items.begin(), a.items.end());
  return *this;
}

Command Command::with(std::initializer_list<Args> args) const {
  Command out = *this;
  out.add(args);
  return out;
}

namespace {

// Everything the child needs, made before fork(): after it only async-signal-safe calls run.
struct ChildSetup {
  std::vector<std::string> env_text;
  std::vector<char*> argv, envp;

  ChildSetup(const Command& command, const RunOptions& options) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
      const std::string_view kv(*e);
      const size_t eq = kv.find('=');
      if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
    for (const auto& [k, v] : options.env) env[k] = v;
    for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
    for (const std::string& a : command.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const std::string& e : env_text) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
};

void set_limit(int resource, int64_t bytes) {
  if (bytes < 0) return;
  const rlimit limit{static_cast<rlim_t>(bytes), static_cast<rlim_t>(bytes)};
  if (setrlimit(resource, &limit) != 0) _exit(126);
}

}  // namespace

Process::Process(const Command& command, const RunOptions& options) {
  if (command.argv.empty()) throw std::runtime_error("an empty command");
  ChildSetup setup(command, options);
  const std::string out = (dir_ / "stdout").string(), err = (dir_ / "stderr").string();
  const std::string cwd = options.cwd.string();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int in_fd = open("/dev/null", O_RDONLY);
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(126);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    set_limit(RLIMIT_FSIZE, options.file_size_limit_bytes);
    set_limit(RLIMIT_AS, options.address_space_limit_bytes);
    execvpe(setup.argv[0], setup.argv.data(), setup.envp.data());
    _exit(127);  // as a shell reports a command it cannot run
  }
}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Process::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

RunResult Process::wait() {
  if (pid_ <= 0) throw std::runtime_error("the process was already waited for");
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_bytes(dir_ / "stdout");
  r.err = read_bytes(dir_ / "stderr");
  return r;
}

RunResult run(const Command& command, const RunOptions& options) { return Process(command, options).wait(); }

bool wait_until(const std::function<bool()>& done, double timeout_s, double period_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::duration<double>(period_s));
  }
  return true;
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

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) saved_ = old;
  if (value)
    setenv(name_.c_str(), value->c_str(), 1);
  else
    unsetenv(name_.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (saved_)
    setenv(name_.c_str(), saved_->c_str(), 1);
  else
    unsetenv(name_.c_str());
}

TempDirAt::TempDirAt(const fs::path& dir) {
  fs::create_directories(dir);
  env_.emplace("TMPDIR", dir.string());
}

bool has_open_file_in(const fs::path& dir) {
  for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind(dir.string(), 0) == 0) return true;
  }
  return false;
}

ByteBuffer random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  ByteBuffer v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng() & 0xff);
  return v;
}

ImageBatch random_batch(int n, int c, int h, int w, uint32_t seed) {
  ImageBatch b(n, c, h, w);
  b.data = random_bytes(b.data.size(), seed);
  return b;
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
