#include "spill_file.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "atomic_output.h"
#include "error.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

std::string temp_folder() {
  std::error_code ec;
  const fs::path dir = fs::temp_directory_path(ec);  // throws nothing: a missing TMPDIR is a fallback
  return ec ? std::string() : dir.string();
}

}  // namespace

std::unique_ptr<SpillFile> SpillFile::create() {
  const std::string dir = temp_folder();
  if (dir.empty()) return nullptr;
#ifdef O_TMPFILE
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return std::unique_ptr<SpillFile>(new SpillFile(fd));
#endif
  // File systems without O_TMPFILE: a named file, unlinked at once.
  std::string name = dir + "/gankit-spill-XXXXXX";
  const int fd2 = ::mkstemp(name.data());
  if (fd2 < 0) return nullptr;
  ::unlink(name.c_str());
  return std::unique_ptr<SpillFile>(new SpillFile(fd2));
}

int64_t SpillFile::available() {
  const std::string dir = temp_folder();
  struct statvfs st {};
  if (dir.empty() || ::statvfs(dir.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

SpillFile::~SpillFile() { ::close(fd_); }

void SpillFile::write(const void* data, std::size_t bytes, int64_t offset, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t r = ::pwrite(fd_, p + done, bytes - done, static_cast<off_t>(offset + static_cast<int64_t>(done)));
    GANKIT_CHECK_DATA(r > 0, "cannot keep {} in a temporary file in {}: {}", what, temp_folder(),
                      describe_write_errno(errno));
    done += static_cast<std::size_t>(r);
  }
}

void SpillFile::read(void* data, std::size_t bytes, int64_t offset) const {
  char* p = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t r = ::pread(fd_, p + done, bytes - done, static_cast<off_t>(offset + static_cast<int64_t>(done)));
    GANKIT_CHECK(r > 0, Internal, "cannot read back a temporary file: {}",
                 r < 0 ? std::strerror(errno) : "it ends early");
    done += static_cast<std::size_t>(r);
  }
}

}  // namespace gankit
