#include "run_catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "error.h"
#include "jsonl.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

CheckpointFile describe_checkpoint(const fs::path& path, const fs::path& run_dir) {
  struct stat st {};
  GANKIT_CHECK_DATA(::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode), "checkpoint {} is not a file",
                    path.string());
  CheckpointFile c;
  c.path = path;
  c.name = fs::relative(path, run_dir).string();
  c.size = static_cast<uint64_t>(st.st_size);
  c.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  const std::string file = path.filename().string();
  long long step = -1;
  char tail = 0;
  if (std::sscanf(file.c_str(), "step_%lld.p%c", &step, &tail) == 2 && file.ends_with(".pt")) c.step_hint = step;
  int phase = 0, r1 = 0, r2 = 0;
  if (std::sscanf(file.c_str(), "phase%d_%dx%d_", &phase, &r1, &r2) == 3 && r1 == r2 && r1 > 0) c.level_hint = r1;
  return c;
}

// Sort key: step files by step, then ProGAN phases by name, then latest.pt.
std::tuple<int, int64_t, std::string> order(const CheckpointFile& c) {
  const std::string file = c.path.filename().string();
  if (c.step_hint >= 0) return {0, c.step_hint, file};
  if (file.starts_with("phase")) return {1, 0, file};
  return {2, 0, file};
}

nlohmann::json read_config(const fs::path& path) {
  if (!fs::exists(path)) return nlohmann::json::object();
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  GANKIT_CHECK_DATA(!j.is_discarded() && j.is_object(), "{} is not a JSON object (a damaged run folder?)",
                    path.string());
  return j;
}

std::string flat(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

RunFolder open_run_folder(const fs::path& run_or_checkpoint) {
  GANKIT_CHECK_DATA(fs::exists(run_or_checkpoint), "{} does not exist", run_or_checkpoint.string());
  RunFolder run;
  if (fs::is_directory(run_or_checkpoint)) {
    run.dir = fs::absolute(run_or_checkpoint).lexically_normal();
    GANKIT_CHECK_DATA(fs::exists(run.dir / "config.json") || fs::is_directory(run.dir / "checkpoints"),
                      "{} is not a gan-train run folder (no config.json or checkpoints/)", run_or_checkpoint.string());
    const fs::path ckpt_dir = run.dir / "checkpoints";
    if (fs::is_directory(ckpt_dir))
      for (const auto& e : fs::directory_iterator(ckpt_dir))
        if (e.is_regular_file() && e.path().extension() == ".pt")
          run.checkpoints.push_back(describe_checkpoint(e.path(), run.dir));
    GANKIT_CHECK_DATA(!run.checkpoints.empty(), "run {} has no checkpoint yet (checkpoints/*.pt)",
                      run_or_checkpoint.string());
  } else {
    const fs::path file = fs::absolute(run_or_checkpoint).lexically_normal();
    const fs::path parent = file.parent_path();
    run.dir = parent.filename() == "checkpoints" ? parent.parent_path() : parent;
    run.checkpoints.push_back(describe_checkpoint(file, run.dir));
  }
  std::sort(run.checkpoints.begin(), run.checkpoints.end(),
            [](const CheckpointFile& a, const CheckpointFile& b) { return order(a) < order(b); });
  run.name = run.dir.filename().string();
  run.config = read_config(run.dir / "config.json");
  run.log = read_jsonl(run.dir / "log.jsonl");
  return run;
}

std::vector<std::string> differing_settings(const std::vector<RunFolder>& runs) {
  // Bookkeeping and logistics (how often to log or save, threads) say nothing about the model.
  static const std::set<std::string> bookkeeping = {
      "tool_version", "torch_version", "data_fingerprint", "data_changes", "checkpoint_every",
      "keep_every",   "sample_every",  "log_every",        "threads",      "device"};
  std::set<std::string> keys;
  for (const RunFolder& r : runs)
    for (const auto& [k, v] : r.config.items()) keys.insert(k);
  std::vector<std::string> out;
  for (const std::string& k : keys) {
    if (bookkeeping.count(k)) continue;
    std::set<std::string> values;
    for (const RunFolder& r : runs) values.insert(r.config.contains(k) ? flat(r.config[k]) : "-");
    if (values.size() > 1) out.push_back(k);
  }
  return out;
}

std::string describe_settings(const RunFolder& run, const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) {
    if (!out.empty()) out += ' ';
    out += k + "=" + (run.config.contains(k) ? flat(run.config[k]) : "-");
  }
  return out;
}

}  // namespace gankit
