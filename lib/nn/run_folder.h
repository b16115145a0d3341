// TrainRunFolder — the folder a gan-train run owns, without LibTorch: locking it, preparing a new
// run or opening one to resume, config.json, log.jsonl, the sample grid paths and the kept
// checkpoint copies. The training loop (trainer.cpp) writes checkpoints/latest.pt itself and asks
// this object for everything else.
//
// Layout (see trainer.h): config.json, log.jsonl, samples/step_NNNNNN.png,
// checkpoints/latest.pt, checkpoints/step_NNNNNN.pt, checkpoints/phaseNN_RxR_{fade,stable}.pt,
// metrics.jsonl (gan-eval compare) and lock (FolderLock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "folder_lock.h"

namespace gankit {

class TrainRunFolder {
 public:
  // Creates (new run) and locks `dir`. Throws Error(Data) "DIR is in use by another process" when
  // another process holds it, or when it cannot be created.
  TrainRunFolder(std::filesystem::path dir, bool resume);
  // A new run whose start failed before its first checkpoint leaves nothing behind: the run files
  // (once prepare() made them ours), the lock and a folder this start created are removed.
  ~TrainRunFolder();
  TrainRunFolder(const TrainRunFolder&) = delete;
  TrainRunFolder& operator=(const TrainRunFolder&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path latest() const { return dir_ / "checkpoints" / "latest.pt"; }
  std::filesystem::path config_path() const { return dir_ / "config.json"; }

  // A new run: refuses a folder holding a run unless `overwrite` (which removes the run files);
  // creates samples/ and checkpoints/. A resume: checks the folder is writable.
  void prepare(bool overwrite);
  // Writes config.json atomically.
  void write_config(const nlohmann::json& config);
  // The data changes recorded in config.json (by --allow-data-change), oldest first.
  nlohmann::json recorded_data_changes() const;
  // Keeps the log records of steps <= step (a resume replays what followed the checkpoint), then
  // opens log.jsonl for appending.
  void open_log(int64_t resumed_step);
  void log(const nlohmann::json& record);
  std::filesystem::path sample_path(int64_t step) const;
  // Copies latest.pt to checkpoints/NAME atomically; returns its path.
  std::filesystem::path keep_copy(const std::string& name) const;
  // The first checkpoint is written: the run exists now and is no longer removed on failure.
  void keep_run() { keep_ = true; }

 private:
  std::filesystem::path dir_;
  bool created_dir_ = false;
  bool owns_run_files_ = false;
  bool keep_ = false;
  std::unique_ptr<FolderLock> lock_;
  std::ofstream log_;
};

}  // namespace gankit
