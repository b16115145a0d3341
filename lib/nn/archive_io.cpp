#include "archive_io.h"

#include <fmt/format.h>

#include "atomic_output.h"
#include "error.h"

namespace gankit {

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& path, const std::string& what) {
  AtomicOutput output(path, true);
  try {
    archive.save_to(output.temp_path().string());
  } catch (const std::exception& e) {
    fail(ErrorKind::Data, fmt::format("cannot write {} {}: {}", what, path.string(), e.what()));
  }
  output.commit();
}

torch::serialize::InputArchive open_archive(const std::filesystem::path& path, const c10::Device& device,
                                            const std::string& what) {
  GANKIT_CHECK_DATA(std::filesystem::is_regular_file(path), "{} {} does not exist", what, path.string());
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
