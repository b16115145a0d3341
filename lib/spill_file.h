// SpillFile — an unlinked temporary file in the system temp folder, written and read by offset:
// where a large intermediate result lives (a folder's decoded images, SWD's level-1 Gaussian
// images) when it should not stay in the process's memory. The page cache keeps it in memory
// while there is room and the kernel may write it out when there is not; the file has no name,
// so nothing is left behind, even by a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace gankit {

class SpillFile {
 public:
  // A new empty file in std::filesystem::temp_directory_path() (TMPDIR), or nullptr when none
  // can be made there (no such folder, read-only): callers then keep the data in memory instead.
  static std::unique_ptr<SpillFile> create();
  // Bytes an unprivileged writer may still write in that folder (statvfs), or -1 when unknown.
  static int64_t available();
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  // Writes `bytes` at `offset`. A failure (a full disk) throws a Data error:
  //   "cannot keep <what> in a temporary file in <temp folder>: <reason>".
  void write(const void* data, std::size_t bytes, int64_t offset, const std::string& what);
  // Reads back `bytes` at `offset`, which must have been written.
  void read(void* data, std::size_t bytes, int64_t offset) const;
  // The descriptor: "/proc/self/fd/<fd>" opens the file by path (a .npz member streamed from it).
  int fd() const { return fd_; }

 private:
  explicit SpillFile(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace gankit
