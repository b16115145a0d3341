#include "archive_io.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "atomic_output.h"
#include "error.h"

namespace gankit {

namespace {
// LibTorch's messages carry a backtrace after the first line.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
}  // namespace

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& path,
                  const std::string& what) {
  AtomicOutput output(path, true);
  // Written through our own FILE so that a failed write is named by its errno (a full disk),
  // not by LibTorch's multi-line message.
  std::FILE* file = std::fopen(output.temp_path().c_str(), "wb");
  GANKIT_CHECK_DATA(file != nullptr, "cannot write {} {}: {}", what, path.string(), std::strerror(errno));
  int write_errno = 0;
  try {
    archive.save_to([&](const void* data, size_t n) -> size_t {
      const size_t written = std::fwrite(data, 1, n, file);
      if (written < n && write_errno == 0) write_errno = errno ? errno : EIO;
      return written;
    });
  } catch (const std::exception& e) {
    std::fclose(file);
    const std::string why = write_errno ? describe_write_errno(write_errno) : first_line(e.what());
    fail(ErrorKind::Data, fmt::format("cannot write {} {}: {}", what, path.string(), why));
  }
  errno = 0;
  const bool flushed = std::fflush(file) == 0;
  const int flush_errno = errno;
  GANKIT_CHECK_DATA(std::fclose(file) == 0 && flushed, "cannot write {} {}: {}", what, path.string(),
                    describe_write_errno(flush_errno ? flush_errno : errno));
  output.commit();
}

torch::serialize::InputArchive open_archive(const std::filesystem::path& path, const c10::Device& device,
                                            const std::string& what) {
  GANKIT_CHECK_DATA(std::filesystem::is_regular_file(path), "{} {} does not exist", what, path.string());
  note_input(path);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string(), device);
  } catch (const std::exception&) {
    fail(ErrorKind::Data, fmt::format("{} is not a gankit {} (unreadable LibTorch archive)", path.string(), what));
  }
  return archive;
}

std::string read_meta_record(torch::serialize::InputArchive& archive, const std::filesystem::path& path,
                             const std::string& what) {
  c10::IValue value;
  GANKIT_CHECK_DATA(archive.try_read("meta", value) && value.isString(), "{} is not a gankit {} (no meta record)",
                    path.string(), what);
  return value.toStringRef();
}

}  // namespace gankit
