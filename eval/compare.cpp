#include "compare.h"

#include <fmt/format.h>
#include <omp.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>

#include "backbone.h"
#include "checkpoint_sampler.h"
#include "error.h"
#include "feature_source.h"
#include "fid.h"
#include "hdf5_store.h"
#include "image_grid.h"
#include "image_io.h"
#include "image_set.h"
#include "jsonl.h"
#include "kid.h"
#include "msssim.h"
#include "prdc.h"
#include "swd.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

constexpr int kGridImages = 64;

// The identity of one measured value in metrics.jsonl (and in the real-set cache).
struct DrawKey {
  std::string checkpoint;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int level = 0;  // the resolution asked for (a ProGAN phase's own level; 0 = where the run is)
  std::string metric;
  int64_t num_images = 0;
  uint64_t draw_seed = 0;
  std::string real;
  std::string backbone;  // feature metrics: the backbone's hash, input size and resize mode

  nlohmann::json to_json() const {
    nlohmann::json j = {{"checkpoint", checkpoint}, {"size", size},     {"mtime_ns", mtime_ns},
                        {"level", level},           {"metric", metric}, {"num_images", num_images},
                        {"draw_seed", draw_seed},   {"real", real}};
    if (!backbone.empty()) j["backbone"] = backbone;
    return j;
  }
  bool matches(const nlohmann::json& r) const {
    auto eq = [&](const char* k, const auto& v) { return r.contains(k) && r[k] == v; };
    return eq("checkpoint", checkpoint) && eq("size", size) && eq("mtime_ns", mtime_ns) && eq("level", level) &&
           eq("metric", metric) && eq("num_images", num_images) && eq("draw_seed", draw_seed) && eq("real", real) &&
           r.value("backbone", std::string()) == backbone;
  }
};

const nlohmann::json* find_record(const std::vector<nlohmann::json>& records, const DrawKey& key) {
  for (auto it = records.rbegin(); it != records.rend(); ++it)
    if (key.matches(*it)) return &*it;
  return nullptr;
}

// Checks that a record read back has the fields the report needs; names the file otherwise.
void check_record(const nlohmann::json& r, const fs::path& file) {
  for (const char* k : {"step", "kimg", "seconds", "resolution"})
    GANKIT_CHECK_DATA(r.contains(k) && r[k].is_number(), "{}: a record of {} has no number '{}'", file.string(),
                      r.value("checkpoint", std::string("?")), k);
  GANKIT_CHECK_DATA(r.contains("values") && r["values"].is_object(), "{}: a record of {} has no 'values'",
                    file.string(), r.value("checkpoint", std::string("?")));
}

// Whether two files hold the same bytes, read in 1 MiB pieces up to the first difference.
bool same_bytes(const fs::path& a, const fs::path& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  while (fa && fb) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount() || !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
  }
  return fa.eof() && fb.eof();
}

// latest.pt is usually a byte copy of the newest step file: measuring it twice says nothing.
std::vector<CheckpointFile> select_checkpoints(const RunFolder& run, const std::string& which) {
  std::vector<CheckpointFile> out;
  const CheckpointFile* latest = nullptr;
  for (const CheckpointFile& c : run.checkpoints)
    if (c.path.filename() == "latest.pt") latest = &c;
  if (which == "latest") {
    out.push_back(latest ? *latest : run.checkpoints.back());
    return out;
  }
  for (const CheckpointFile& c : run.checkpoints) {
    if (&c == latest) {
      bool copy = false;
      for (const CheckpointFile& o : run.checkpoints)
        if (&o != latest && o.size == c.size && same_bytes(o.path, c.path)) copy = true;
      if (copy) continue;
    }
    out.push_back(c);
  }
  return out;
}

struct RealSet {
  PyramidReader reader;
  std::string fingerprint;
  std::map<int, ImageBatch> first;   // images [0, N) per resolution, as stored (1 or 3 channels)
  std::map<int, ImageBatch> second;  // images [N, 2N) when REAL has them
  explicit RealSet(const fs::path& path) : reader(path) {
    fingerprint = dataset_fingerprint(reader, reader.info().resolution);
  }
  const ImageBatch& level(int r, int64_t n, bool floor_half) {
    auto& cache = floor_half ? second : first;
    auto it = cache.find(r);
    if (it == cache.end()) it = cache.emplace(r, reader.read(r, floor_half ? n : 0, n)).first;
    return it->second;
  }
};

std::map<std::string, double> swd_values(const SwdResult& s, const std::string& prefix) {
  std::map<std::string, double> v;
  for (size_t i = 0; i < s.resolutions.size(); ++i) v[prefix + std::to_string(s.resolutions[i])] = s.swd[i];
  v[prefix + "avg"] = s.average;
  return v;
}

SwdResult swd_of(const ImageBatch& a, const ImageBatch& b, uint64_t seed) {
  SwdOptions o;
  o.seed = static_cast<uint32_t>(seed);
  return sliced_wasserstein(to_rgb(a), to_rgb(b), o);
}

bool is_feature_metric(const std::string& m) { return m == "fid" || m == "kid" || m == "prdc"; }

// FID, KID (100 subsets of min(N, 1000), the draw's seed) or PRDC (k = 3 / 5) of two feature sets.
nlohmann::json feature_values(const FeatureMatrix& real, const FeatureMatrix& fake, const std::string& m,
                              uint64_t seed) {
  if (m == "fid") return {{"fid", frechet_distance(feature_moments(real), feature_moments(fake)).value()}};
  if (m == "kid") {
    KidOptions o;
    o.subset_size = std::min<int64_t>(1000, std::min(real.rows, fake.rows));
    o.seed = static_cast<uint32_t>(seed);
    const KidResult k = kernel_distance(real, fake, o);
    return {{"kid", k.mean}, {"kid_std", k.std}};
  }
  const PrdcResult p = precision_recall_density_coverage(real, fake, {});
  return {{"precision", p.precision}, {"recall", p.recall}, {"density", p.density}, {"coverage", p.coverage}};
}

void add_values(std::map<std::string, std::vector<double>>& draws, const nlohmann::json& values,
                const std::string& prefix = "") {
  for (const auto& [k, v] : values.items())
    if (v.is_number()) draws[prefix + k].push_back(v.get<double>());
}

class Comparer {
 public:
  explicit Comparer(const CompareOptions& o) : o_(o), real_(o.real) {}
  Comparison run();

 private:
  void check_options() const;
  std::vector<RunFolder> open_runs() const;
  // Scores every selected checkpoint of one run (draws measured or found in metrics.jsonl).
  RunScore score_run(RunFolder run, const std::vector<CheckpointFile>& selected, int64_t& planned);
  // Measures (or finds) draw r of checkpoint c; returns false when it was skipped as bad.
  bool score_draw(RunScore& rs, const CheckpointFile& c, int r, std::vector<nlohmann::json>& records,
                  CheckpointScore& out);
  // The draw's record fields ("info", "values"), or null when the checkpoint cannot be read and
  // skip_bad is set (`why` then says what was wrong).
  nlohmann::json measure(const CheckpointFile& c, uint64_t seed, const RunFolder& run, bool keep_grid,
                         std::string& why);
  void score_real(int resolution);
  fs::path grid_path(const CheckpointFile& c) const;
  // The report shows the best and latest checkpoints' grids: made from 64 samples when the
  // cache lacks them (metrics measured elsewhere, e.g. by gan-train --eval-every).
  void ensure_grid(const CheckpointFile& c, CheckpointScore& score);
  // `num` images of checkpoint `c` with latent seed `seed`, at a ProGAN phase's own level.
  SampleRequest request(const CheckpointFile& c, int64_t num, uint64_t seed) const;
  // Backbone features of real images [0, N) (or [N, 2N) for `second`) at `resolution`: from
  // memory, the cache folder, or computed (and cached).
  const FeatureMatrix& real_features(int resolution, bool second);
  std::string rank_key() const;

  const CompareOptions& o_;
  RealSet real_;
  BackboneIdentity backbone_;  // when a feature metric is measured
  std::string backbone_key_;
  std::map<std::pair<int, bool>, FeatureMatrix> real_features_;
  std::map<int, RealScore> real_scores_;
  std::unique_ptr<Progress> progress_;
  int measured_ = 0, reused_ = 0;
};

void Comparer::check_options() const {
  GANKIT_CHECK_USAGE(!o_.runs.empty(), "give at least one run folder to compare");
  GANKIT_CHECK_USAGE(o_.num_images >= 2, GANKIT_SETTING("num_images") " {} must be at least 2", o_.num_images);
  GANKIT_CHECK_USAGE(o_.repeats >= 1 && o_.repeats <= 100, GANKIT_SETTING("repeats") " {} must be 1 .. 100",
                     o_.repeats);
  GANKIT_CHECK_USAGE(o_.checkpoints == "all" || o_.checkpoints == "latest" || o_.checkpoints == "best",
                     GANKIT_SETTING("checkpoints") " {}: use all, latest or best", o_.checkpoints);
  GANKIT_CHECK_USAGE(!o_.metrics.empty(), GANKIT_SETTING("metrics") " is empty: use swd, msssim, fid, kid, prdc");
  for (const std::string& m : o_.metrics) {
    GANKIT_CHECK_USAGE(m == "swd" || m == "msssim" || is_feature_metric(m),
                       GANKIT_SETTING("metrics") " {}: compare measures swd, msssim, fid, kid and prdc", m);
    GANKIT_CHECK_USAGE(!is_feature_metric(m) || !o_.backbone.name.empty(),
                       GANKIT_SETTING("metrics") " {} needs " GANKIT_SETTING("backbone") " FILE.pt (TorchScript, e.g. scripts/export-inception.py) or "
                       "d:RUN",
                       m);
    GANKIT_CHECK_USAGE(m != "prdc" || o_.num_images >= 6,
                       GANKIT_SETTING("metrics") " prdc needs " GANKIT_SETTING("num_images") " 6 or more (k = 5)");
  }
  GANKIT_CHECK_USAGE(
      o_.rank_by.empty() || ((o_.rank_by == "swd" || o_.rank_by == "fid" || o_.rank_by == "kid") &&
                             std::find(o_.metrics.begin(), o_.metrics.end(), o_.rank_by) != o_.metrics.end()),
      GANKIT_SETTING("rank_by") " {}: rank by swd, fid or kid, and measure it (" GANKIT_SETTING("metrics") ")",
      o_.rank_by);
}

std::string Comparer::rank_key() const {
  const std::string by = o_.rank_by;
  auto key = [](const std::string& m) { return m == "swd" ? std::string("swd_avg") : m; };
  if (!by.empty()) return key(by);
  for (const std::string& m : o_.metrics)
    if (m == "swd" || m == "fid" || m == "kid") return key(m);
  return "";
}

const FeatureMatrix& Comparer::real_features(int resolution, bool second) {
  auto it = real_features_.find({resolution, second});
  if (it != real_features_.end()) return it->second;
  const fs::path cached =
      o_.cache_dir.empty()
          ? fs::path()
          : o_.cache_dir / "features" /
                fmt::format("{:016x}.h5",
                            std::hash<std::string>{}(fmt::format("{}|{}|{}|{}|{}", real_.fingerprint, resolution,
                                                                 o_.num_images, second, backbone_key_)));
  FeatureSource s;
  if (!cached.empty() && fs::exists(cached)) {
    try {
      s = read_stats_file(cached);
    } catch (const Error&) {  // a damaged cache entry is recomputed
      s = FeatureSource();
    }
  }
  if (!s.backbone.same_as(backbone_) || s.features.rows != o_.num_images) {
    const ImageBatch& images = real_.level(resolution, o_.num_images, second);
    auto view = image_set_view(images);
    s.backbone = backbone_;
    s.input = fmt::format("{} level {} images [{}, {})", o_.real.string(), resolution, second ? o_.num_images : 0,
                          second ? 2 * o_.num_images : o_.num_images);
    s.fingerprint = image_set_fingerprint(*view);
    s.features = backbone_features(o_.backbone, *view, {true, false}, "real");
    if (!cached.empty()) {
      fs::create_directories(cached.parent_path());
      write_stats_file(cached, s, true);
    }
  }
  return real_features_.emplace(std::make_pair(resolution, second), std::move(s.features)).first->second;
}

std::vector<RunFolder> Comparer::open_runs() const {
  std::vector<RunFolder> runs;
  std::map<std::pair<dev_t, ino_t>, std::string> seen;
  for (const fs::path& p : o_.runs) {
    RunFolder r = open_run_folder(p);
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      const auto [it, fresh] = seen.emplace(std::make_pair(st.st_dev, st.st_ino), p.string());
      GANKIT_CHECK_USAGE(fresh, "{} and {} are the same run: give each run once", it->second, p.string());
    }
    runs.push_back(std::move(r));
  }
  // Names unique for tables: the folder name, else parent/name.
  for (RunFolder& r : runs) {
    int same = 0;
    for (const RunFolder& other : runs) same += other.name == r.name;
    if (same > 1) r.name = (r.dir.parent_path().filename() / r.dir.filename()).string();
  }
  return runs;
}

fs::path Comparer::grid_path(const CheckpointFile& c) const {
  if (o_.cache_dir.empty()) return {};
  const std::string id = fmt::format(
      "{:016x}", std::hash<std::string>{}(fmt::format("{}|{}|{}|{}", c.path.string(), c.size, c.mtime_ns, o_.seed)));
  return o_.cache_dir / "grids" / (id + ".png");
}

nlohmann::json Comparer::measure(const CheckpointFile& c, uint64_t seed, const RunFolder& run, bool keep_grid,
                                 std::string& why) {
  const SampleRequest req = request(c, o_.num_images, seed);
  CheckpointSamples s;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  const auto t0 = Clock::now();
  try {
    s = sample_checkpoint(req);
  } catch (const Error& e) {
    if (!o_.skip_bad || e.kind() != ErrorKind::Data) throw;
    why = e.what();
    return nullptr;
  }
  const int r = s.resolution;
  nlohmann::json info = {{"step", s.step}, {"kimg", s.kimg}, {"seconds", s.seconds}, {"resolution", r}};
  nlohmann::json time = {{"sample", since(t0)}};
  if (keep_grid && !o_.cache_dir.empty()) {
    ImageBatch head = s.images;
    head.truncate(kGridImages);
    fs::create_directories(grid_path(c).parent_path());
    write_image(grid_path(c), tile_images(head, 8));
  }
  nlohmann::json values = nlohmann::json::object();
  const bool features = std::any_of(o_.metrics.begin(), o_.metrics.end(), is_feature_metric);
  if (r < 16 && !features) return {{"info", info}, {"values", values}, {"time", time}};
  GANKIT_CHECK_DATA(real_.reader.has_level(r), "{} has no {}x{} level, which {} of {} needs (levels: {})",
                    o_.real.string(), r, r, c.name, run.name, fmt::join(real_.reader.info().resolutions, ", "));
  GANKIT_CHECK_DATA(real_.reader.channels() == s.images.c,
                    "{} of {} makes {}-channel images but {} holds {}-channel ones", c.name, run.name, s.images.c,
                    o_.real.string(), real_.reader.channels());
  const ImageBatch& real = real_.level(r, o_.num_images, false);
  FeatureMatrix fake_features;
  for (const std::string& m : o_.metrics) {
    const auto t = Clock::now();
    if (m == "swd" && r >= 16) values["swd"] = swd_values(swd_of(real, s.images, seed), "");
    if (m == "msssim" && r >= 16)
      values["msssim"] = {{"msssim", msssim_diversity(s.images, o_.num_images / 2, false, 0).mean}};
    if (is_feature_metric(m)) {
      if (fake_features.rows == 0) {  // once per draw, shared by fid, kid and prdc
        auto view = image_set_view(s.images);
        fake_features = backbone_features(o_.backbone, *view, {true, false}, c.name);
      }
      values[m] = feature_values(real_features(r, false), fake_features, m, seed);
    }
    time[m] = since(t);
  }
  return {{"info", info}, {"values", values}, {"time", time}};
}

bool Comparer::score_draw(RunScore& rs, const CheckpointFile& c, int r, std::vector<nlohmann::json>& records,
                          CheckpointScore& out) {
  const uint64_t seed = static_cast<uint64_t>(o_.seed) + static_cast<uint64_t>(r);
  std::vector<DrawKey> keys;
  for (const std::string& m : o_.metrics)
    keys.push_back({c.name, c.size, c.mtime_ns, c.level_hint, m, o_.num_images, seed, real_.fingerprint,
                    is_feature_metric(m) ? backbone_key_ : ""});
  std::vector<const nlohmann::json*> found;
  for (const DrawKey& k : keys) found.push_back(find_record(records, k));
  if (std::all_of(found.begin(), found.end(), [](auto* f) { return f != nullptr; })) {
    ++reused_;
  } else {
    std::string why;
    const nlohmann::json m = measure(c, seed, rs.run, r == 0, why);
    if (m.is_null()) {
      rs.notes.push_back(fmt::format("{} skipped: {}", c.name, why));
      print_note(fmt::format("skipped {}", why));
      return false;
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      if (found[i]) continue;
      nlohmann::json rec = keys[i].to_json();
      rec.update(m["info"]);
      rec["values"] = m["values"].value(keys[i].metric, nlohmann::json::object());
      // Where the time goes (seconds): sampling is shared by the draw's metrics.
      rec["time_s"] = {{"sample", m["time"]["sample"]}, {"metric", m["time"].value(keys[i].metric, 0.0)}};
      rec["tool_version"] = tool_version();
      append_jsonl(rs.run.metrics_path(), rec);
      records.push_back(rec);
    }
    // push_back may move the records: look them all up again.
    for (size_t i = 0; i < keys.size(); ++i) found[i] = find_record(records, keys[i]);
    ++measured_;
  }
  for (const nlohmann::json* f : found) {
    check_record(*f, rs.run.metrics_path());
    out.step = (*f)["step"].get<int64_t>();
    out.kimg = (*f)["kimg"].get<double>();
    out.seconds = (*f)["seconds"].get<double>();
    out.resolution = (*f)["resolution"].get<int>();
    add_values(out.draws, (*f)["values"], (*f)["metric"] == "swd" ? "swd_" : "");
  }
  score_real(out.resolution);
  progress_->add(1);
  return true;
}

SampleRequest Comparer::request(const CheckpointFile& c, int64_t num, uint64_t seed) const {
  SampleRequest req;
  req.checkpoint = c.path;
  req.num = num;
  req.seed = seed;
  req.resolution = c.level_hint;
  req.device = o_.device;
  req.threads = o_.threads;
  return req;
}

void Comparer::ensure_grid(const CheckpointFile& c, CheckpointScore& score) {
  if (o_.cache_dir.empty()) return;
  const fs::path grid = grid_path(c);
  if (!fs::exists(grid)) {
    const CheckpointSamples s = sample_checkpoint(request(c, kGridImages, o_.seed));
    fs::create_directories(grid.parent_path());
    write_image(grid, tile_images(s.images, 8));
  }
  score.grid = grid;
}

void Comparer::score_real(int resolution) {
  if (real_scores_.count(resolution)) return;
  RealScore rs;
  rs.resolution = resolution;
  const int64_t n = o_.num_images;
  std::vector<nlohmann::json> cache;
  const fs::path cache_file = o_.cache_dir.empty() ? fs::path() : o_.cache_dir / "real-stats.jsonl";
  if (!cache_file.empty()) cache = read_jsonl(cache_file);
  const bool floor = real_.reader.count() >= 2 * n;
  for (int r = 0; r < o_.repeats; ++r) {
    const uint64_t seed = static_cast<uint64_t>(o_.seed) + static_cast<uint64_t>(r);
    for (const std::string& m : o_.metrics) {
      const bool feature = is_feature_metric(m);
      if ((m == "swd" || feature) && !floor) continue;
      if ((m == "swd" || m == "msssim") && resolution < 16) continue;
      // Deterministic given the images: MS-SSIM of the first N (pairs (0,1), (2,3), ...), FID, PRDC.
      if ((m == "msssim" || m == "fid" || m == "prdc") && r > 0) continue;
      const DrawKey key{fmt::format("real@{}", resolution), 0, 0, resolution, m, n, seed, real_.fingerprint,
                        feature ? backbone_key_ : ""};
      const nlohmann::json* hit = find_record(cache, key);
      nlohmann::json values;
      if (hit) {
        values = (*hit)["values"];
      } else if (feature) {
        values = feature_values(real_features(resolution, false), real_features(resolution, true), m, seed);
      } else {
        const ImageBatch& a = real_.level(resolution, n, false);
        values = m == "swd" ? nlohmann::json(swd_values(swd_of(a, real_.level(resolution, n, true), seed), ""))
                            : nlohmann::json{{"msssim", msssim_diversity(a, n / 2, false, 0).mean}};
        if (!cache_file.empty()) {
          nlohmann::json rec = key.to_json();
          rec["values"] = values;
          fs::create_directories(cache_file.parent_path());
          append_jsonl(cache_file, rec);
          cache.push_back(rec);
        }
      }
      add_values(rs.draws, values, m == "swd" ? "swd_floor_" : feature ? "floor_" : "");
    }
  }
  for (const auto& [k, v] : rs.draws) rs.values[k] = estimate(v);
  real_scores_[resolution] = std::move(rs);
}

// The best checkpoint: the lowest mean `key` (swd_avg, fid, kid) among those at the run's largest
// resolution (SWD averages over other level sets do not compare); the last one when none has it.
int best_checkpoint(const std::vector<CheckpointScore>& checkpoints, const std::string& key) {
  int best = static_cast<int>(checkpoints.size()) - 1, top = 0;
  for (const CheckpointScore& cs : checkpoints) top = std::max(top, cs.resolution);
  double low = std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < checkpoints.size(); ++k) {
    auto it = checkpoints[k].draws.find(key);
    if (checkpoints[k].resolution != top || it == checkpoints[k].draws.end()) continue;
    const double m = estimate(it->second).mean;
    if (m < low) best = static_cast<int>(k), low = m;
  }
  return best;
}

const CheckpointScore& best_of(const RunScore& r) { return r.checkpoints[static_cast<size_t>(r.best)]; }

// Leaderboard order (lowest best `key` first) and each run's verdict against the first.
void rank(std::vector<RunScore>& runs, const std::string& key) {
  auto best_swd = [&](const RunScore& r) {
    auto it = best_of(r).values.find(key);
    return it == best_of(r).values.end() ? std::numeric_limits<double>::infinity() : it->second.mean;
  };
  std::stable_sort(runs.begin(), runs.end(),
                   [&](const RunScore& a, const RunScore& b) { return best_swd(a) < best_swd(b); });
  const CheckpointScore& top = best_of(runs[0]);
  for (size_t i = 0; i < runs.size(); ++i) {
    RunScore& r = runs[i];
    const CheckpointScore& mine = best_of(r);
    if (!mine.values.count(key))
      r.verdict = key.empty() ? "n/a (no ranking metric)" : fmt::format("n/a (no {})", key);
    else if (i == 0)
      r.verdict = "best";
    else if (mine.resolution != top.resolution)
      r.verdict = fmt::format("not comparable ({}x{}, the best is {}x{})", mine.resolution, mine.resolution,
                              top.resolution, top.resolution);
    else if (mine.values.at(key).n < 2 || top.values.at(key).n < 2)
      r.verdict = "n/a (one draw)";
    else
      r.verdict =
          within_noise(mine.values.at(key), top.values.at(key)) ? "within noise of the best" : "worse than the best";
  }
}

RunScore Comparer::score_run(RunFolder run, const std::vector<CheckpointFile>& selected, int64_t& planned) {
  RunScore rs;
  rs.run = std::move(run);
  std::vector<nlohmann::json> records = read_jsonl(rs.run.metrics_path(), true);
  const int draws = o_.checkpoints == "best" ? 1 : o_.repeats;
  for (const CheckpointFile& c : selected) {
    CheckpointScore cs;
    cs.name = c.name;
    bool ok = true;
    for (int r = 0; r < draws && ok; ++r) ok = score_draw(rs, c, r, records, cs);
    if (!ok) continue;
    if (cs.resolution < 16 && !cs.draws.count("fid") && !cs.draws.count("kid") && !cs.draws.count("precision"))
      rs.notes.push_back(
          fmt::format("{} is {}x{}: SWD and MS-SSIM need at least 16x16", c.name, cs.resolution, cs.resolution));
    rs.checkpoints.push_back(std::move(cs));
  }
  GANKIT_CHECK_DATA(!rs.checkpoints.empty(), "no checkpoint of {} could be measured", rs.run.dir.string());
  std::stable_sort(rs.checkpoints.begin(), rs.checkpoints.end(),
                   [](const CheckpointScore& a, const CheckpointScore& b) { return a.kimg < b.kimg; });
  rs.best = best_checkpoint(rs.checkpoints, rank_key());
  auto file_of = [&](const CheckpointScore& cs) -> const CheckpointFile& {
    return *std::find_if(selected.begin(), selected.end(), [&](const CheckpointFile& c) { return c.name == cs.name; });
  };
  if (o_.checkpoints == "best" && o_.repeats > 1) {  // the repeats go to the best checkpoint
    CheckpointScore& b = rs.checkpoints[static_cast<size_t>(rs.best)];
    progress_->set_total(planned += o_.repeats - 1);
    for (int r = 1; r < o_.repeats; ++r) score_draw(rs, file_of(b), r, records, b);
  }
  for (CheckpointScore& cs : rs.checkpoints)
    for (const auto& [k, v] : cs.draws) cs.values[k] = estimate(v);
  ensure_grid(file_of(rs.checkpoints[static_cast<size_t>(rs.best)]), rs.checkpoints[static_cast<size_t>(rs.best)]);
  ensure_grid(file_of(rs.checkpoints.back()), rs.checkpoints.back());
  return rs;
}

Comparison Comparer::run() {
  const auto start = std::chrono::steady_clock::now();
  check_options();
  if (o_.threads > 0) omp_set_num_threads(o_.threads);
  GANKIT_CHECK_USAGE(real_.reader.count() >= o_.num_images,
                     "{} holds {} images, fewer than " GANKIT_SETTING("num_images") " {}", o_.real.string(),
                     real_.reader.count(), o_.num_images);
  Comparison out;
  out.options = o_;
  out.rank_key = rank_key();
  out.real_fingerprint = real_.fingerprint;
  if (std::any_of(o_.metrics.begin(), o_.metrics.end(), is_feature_metric)) {
    backbone_ = backbone_identity(o_.backbone);  // fails here, before any sampling
    backbone_key_ = fmt::format("{}|{}|{}", backbone_.hash, backbone_.input_size, backbone_.resize);
    out.backbone = backbone_.describe();
  }
  std::vector<RunFolder> runs = open_runs();
  out.differing = differing_settings(runs);
  std::vector<std::vector<CheckpointFile>> selected;
  int64_t planned = 0;
  for (const RunFolder& r : runs) {
    selected.push_back(select_checkpoints(r, o_.checkpoints));
    planned += static_cast<int64_t>(selected.back().size()) * (o_.checkpoints == "best" ? 1 : o_.repeats);
  }
  progress_ = std::make_unique<Progress>("compare", planned, o_.progress, "draws");
  for (size_t i = 0; i < runs.size(); ++i) out.runs.push_back(score_run(std::move(runs[i]), selected[i], planned));
  progress_->finish();
  rank(out.runs, out.rank_key);
  out.real = real_scores_;
  out.measured = measured_;
  out.reused = reused_;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

nlohmann::json estimate_json(const Estimate& e) {
  return {{"mean", e.mean}, {"ci95", e.half_width}, {"sd", e.sd}, {"n", e.n}};
}

}  // namespace

std::filesystem::path default_compare_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "gankit";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache/gankit";
  return {};
}

Comparison compare_runs(const CompareOptions& options) {
  Comparer c(options);
  return c.run();
}

nlohmann::json to_json(const Comparison& c) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunScore& r : c.runs) {
    nlohmann::json cks = nlohmann::json::array();
    for (const CheckpointScore& cs : r.checkpoints) {
      nlohmann::json values = nlohmann::json::object();
      for (const auto& [k, e] : cs.values) values[k] = estimate_json(e);
      cks.push_back({{"checkpoint", cs.name},
                     {"step", cs.step},
                     {"kimg", cs.kimg},
                     {"seconds", cs.seconds},
                     {"resolution", cs.resolution},
                     {"values", values}});
    }
    runs.push_back({{"run", r.run.name},
                    {"dir", r.run.dir.string()},
                    {"settings", describe_settings(r.run, c.differing)},
                    {"best", r.checkpoints[static_cast<size_t>(r.best)].name},
                    {"verdict", r.verdict},
                    {"notes", r.notes},
                    {"checkpoints", cks}});
  }
  nlohmann::json real = nlohmann::json::object();
  for (const auto& [res, rs] : c.real) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [k, e] : rs.values) values[k] = estimate_json(e);
    real[std::to_string(res)] = values;
  }
  return {{"real", c.options.real.string()},
          {"real_fingerprint", c.real_fingerprint},
          {"num_images", c.options.num_images},
          {"repeats", c.options.repeats},
          {"seed", c.options.seed},
          {"checkpoints", c.options.checkpoints},
          {"metrics", c.options.metrics},
          {"rank_by", c.rank_key},
          {"backbone", c.backbone},
          {"differing_settings", c.differing},
          {"runs", runs},
          {"real_reference", real},
          {"measured", c.measured},
          {"reused", c.reused},
          {"seconds", c.seconds},
          {"tool_version", tool_version()}};
}

}  // namespace gankit
