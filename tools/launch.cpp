#include "launch.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "error.h"

namespace gankit::cli {

namespace {

constexpr int kMaxRanks = 1024;
pid_t g_children[kMaxRanks];  // for the signal handler: plain memory, async-signal-safe kill()
volatile sig_atomic_t g_count = 0;

void forward(int sig) {
  for (int i = 0; i < g_count; ++i)
    if (g_children[i] > 0) kill(g_children[i], sig);
}

// A port no process listens on now (the kernel's choice for port 0); rank 0 binds it next.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  GANKIT_CHECK_DATA(fd >= 0, "--nproc: cannot open a socket ({})", std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  GANKIT_CHECK_DATA(ok, "--nproc: cannot find a free port on 127.0.0.1 ({})", std::strerror(errno));
  return ntohs(a.sin_port);
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return fmt::format("was killed by signal {} ({}{})", sig, strsignal(sig),
                       sig == SIGKILL ? ": out of memory, or killed by hand" : "");
  }
  return fmt::format("exited with code {}", WEXITSTATUS(status));
}

}  // namespace

int launch_local_ranks(int nproc, const std::vector<std::string>& args) {
  GANKIT_CHECK_USAGE(nproc >= 1 && nproc <= kMaxRanks, "--nproc {} must be in 1..{}", nproc, kMaxRanks);
  const std::string port = std::to_string(free_port()), world = std::to_string(nproc);
  std::fflush(nullptr);
  struct sigaction sa {};
  sa.sa_handler = forward;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = fork();
    GANKIT_CHECK_DATA(pid >= 0, "--nproc: cannot start rank {} ({})", r, std::strerror(errno));
    if (pid == 0) {
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      const std::string rank = std::to_string(r);
      setenv("RANK", rank.c_str(), 1);
      setenv("LOCAL_RANK", rank.c_str(), 1);
      setenv("WORLD_SIZE", world.c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      std::vector<char*> argv;
      std::string self = "/proc/self/exe";
      argv.push_back(self.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      std::fprintf(stderr, "gan-train: rank %d: cannot start (%s)\n", r, std::strerror(errno));
      _exit(127);
    }
    g_children[r] = pid;
    g_count = r + 1;
  }
  // How each rank ended; the one to name is the first that died of a signal we did not send (a
  // kill, the OOM killer), else the first that failed (the others then fail for lack of it).
  std::vector<int> status_of(static_cast<size_t>(nproc), 0);
  int failed = -1, alive = nproc;
  bool stopping = false;
  while (alive > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    int r = 0;
    while (r < nproc && g_children[r] != pid) ++r;
    if (r == nproc) continue;
    g_children[r] = -1;
    --alive;
    status_of[static_cast<size_t>(r)] = status;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && failed < 0) failed = r;
    if (!ok && !stopping) {
      stopping = true;
      forward(SIGTERM);  // the others cannot go on without it
      forward(SIGCONT);  // a stopped (hung) rank takes its SIGTERM only once it runs
    }
  }
  for (int r = 0; r < nproc; ++r) {
    const int s = status_of[static_cast<size_t>(r)];
    if (WIFSIGNALED(s) && !(stopping && WTERMSIG(s) == SIGTERM) && r != failed &&
        !WIFSIGNALED(status_of[static_cast<size_t>(failed < 0 ? r : failed)])) {
      failed = r;
      break;
    }
  }
  g_count = 0;
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (failed < 0) return 0;
  const int failed_status = status_of[static_cast<size_t>(failed)];
  const ErrorKind kind =
      WIFEXITED(failed_status) && WEXITSTATUS(failed_status) == 1 ? ErrorKind::Usage : ErrorKind::Data;
  fail(kind, fmt::format("rank {} of {} {}; the other ranks were stopped (the last good checkpoint stays)", failed,
                         nproc, how_it_ended(failed_status)));
}

}  // namespace gankit::cli
