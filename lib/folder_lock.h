// FolderLock — an exclusive, advisory lock on a folder that one process writes (a gan-train run
// folder), so that two processes never write the same run at once.
//
// The lock is flock(2) on FOLDER/lock, a small file holding the holder's PID. The kernel drops
// the lock when the holder exits in any way (a crash, SIGKILL), so a stale lock never blocks a
// later run; the file itself stays (it is only a name to lock).
#pragma once

#include <filesystem>

namespace gankit {

class FolderLock {
 public:
  // Takes the lock on `folder` (which must exist) without waiting. Throws Error(Data) "FOLDER is
  // in use by another process (PID N)..." when another process holds it.
  explicit FolderLock(const std::filesystem::path& folder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Releases the lock and removes the lock file (for a folder that is being removed).
  void release_and_remove();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace gankit
