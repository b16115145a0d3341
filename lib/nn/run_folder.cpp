#include "run_folder.h"

#include <fmt/format.h>
#include <unistd.h>

#include "atomic_output.h"
#include "error.h"
#include "jsonl.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

// metrics.jsonl is written by gan-eval compare; a run started over must not keep its measurements.
constexpr const char* kRunFiles[] = {"config.json", "log.jsonl", "samples", "checkpoints", "metrics.jsonl"};

void create_folder(const fs::path& dir) {
  try {
    fs::create_directories(dir);
  } catch (const fs::filesystem_error& e) {
    fail(ErrorKind::Data, fmt::format("cannot create run folder {}: {}", dir.string(), e.code().message()));
  }
}

}  // namespace

TrainRunFolder::TrainRunFolder(fs::path dir, bool resume) : dir_(std::move(dir)) {
  created_dir_ = !resume && !fs::exists(dir_);
  if (created_dir_) create_folder(dir_);
  GANKIT_CHECK_DATA(fs::is_directory(dir_), "run folder {} {}", dir_.string(),
                    fs::exists(dir_) ? "is not a folder" : "does not exist");
  // One process per run folder: the lock comes before anything in the folder is read or written.
  lock_ = std::make_unique<FolderLock>(dir_);
  keep_ = resume;  // a resumed run is never removed
}

TrainRunFolder::~TrainRunFolder() {
  log_.close();
  if (keep_) return;
  std::error_code ec;
  if (owns_run_files_)
    for (const char* name : kRunFiles) fs::remove_all(dir_ / name, ec);
  lock_->release_and_remove();
  if (created_dir_) fs::remove(dir_, ec);  // only when empty
}

void TrainRunFolder::prepare(bool overwrite) {
  if (!keep_ && (fs::exists(dir_ / "config.json") || fs::exists(dir_ / "checkpoints"))) {
    GANKIT_CHECK_USAGE(overwrite,
                       "{} already holds a run (config.json): pass " GANKIT_SETTING(
                           "resume") " to continue it or " GANKIT_SETTING("overwrite") " to start over",
                       dir_.string());
    for (const char* name : kRunFiles) fs::remove_all(dir_ / name);
  }
  if (!keep_) owns_run_files_ = true;
  create_folder(dir_ / "samples");
  create_folder(dir_ / "checkpoints");
  GANKIT_CHECK_DATA(access(dir_.c_str(), W_OK) == 0, "run folder {} is not writable", dir_.string());
}

void TrainRunFolder::write_config(const nlohmann::json& config) {
  write_file_atomic(config_path(), config.dump(2) + "\n");
}

nlohmann::json TrainRunFolder::recorded_data_changes() const {
  std::ifstream in(config_path());
  try {
    return nlohmann::json::parse(in).value("data_changes", nlohmann::json::array());
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json::array();
  }
}

void TrainRunFolder::open_log(int64_t resumed_step) {
  const fs::path path = dir_ / "log.jsonl";
  if (resumed_step >= 0 && fs::exists(path)) {
    // The records up to the resumed step; a last line cut by a crash is dropped, a damaged line
    // elsewhere is named (read_jsonl), never dropped silently.
    std::string kept;
    for (const nlohmann::json& r : read_jsonl(path, true))
      if (r.value("step", int64_t{0}) <= resumed_step) kept += r.dump() + "\n";
    write_file_atomic(path, kept);
  }
  log_.open(path, std::ios::app);
  GANKIT_CHECK_DATA(log_.good(), "cannot write {}", path.string());
}

void TrainRunFolder::log(const nlohmann::json& record) {
  log_ << record.dump() << "\n" << std::flush;
  GANKIT_CHECK_DATA(log_.good(), "cannot write {}", (dir_ / "log.jsonl").string());
}

fs::path TrainRunFolder::sample_path(int64_t step) const {
  return dir_ / "samples" / fmt::format("step_{:06}.png", step);
}

fs::path TrainRunFolder::keep_copy(const std::string& name) const {
  const fs::path kept = dir_ / "checkpoints" / name;
  AtomicOutput out(kept, true);
  std::error_code ec;
  fs::copy_file(latest(), out.temp_path(), ec);
  GANKIT_CHECK_DATA(!ec, "cannot write {}: {}", kept.string(), describe_write_errno(ec.value()));
  out.commit();
  return kept;
}

}  // namespace gankit
