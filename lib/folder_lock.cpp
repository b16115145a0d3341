#include "folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "error.h"

namespace gankit {

FolderLock::FolderLock(const std::filesystem::path& folder) : path_(folder / "lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  GANKIT_CHECK_DATA(fd_ >= 0, "cannot lock {}: {}", folder.string(), std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t got = ::pread(fd_, buf, sizeof(buf) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    GANKIT_CHECK_DATA(err != EWOULDBLOCK, "{} is in use by another process (PID {}): wait for it to finish or stop it",
                      folder.string(), got > 0 ? std::string(buf, static_cast<size_t>(got)) : std::string("unknown"));
    fail(ErrorKind::Data, fmt::format("cannot lock {}: {}", folder.string(), std::strerror(err)));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The PID is only for the message of a second process; the lock holds without it.
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

void FolderLock::release_and_remove() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace gankit
