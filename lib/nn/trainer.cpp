#include "trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

#include "atomic_output.h"
#include "data_parallel.h"
#include "device.h"
#include "error.h"
#include "gan_loss.h"
#include "hdf5_store.h"
#include "image_grid.h"
#include "image_io.h"
#include "image_tensor.h"
#include "progan_schedule.h"
#include "rng.h"
#include "run_folder.h"
#include "train_schedule.h"

namespace gankit {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kStepStream = 0x53544550ull;    // "STEP": z and penalty draws of step s
constexpr uint64_t kSampleStream = 0x53414d50ull;  // "SAMP": the fixed z of the sample grids
constexpr int kGridImages = 64, kGridCols = 8;

at::Generator cpu_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

// The data of a resumed run must be the run's: the same images (by fingerprint), wherever the
// file now lives. `config` holds the run's fingerprint; it is replaced by `now`.
void check_resumed_data(TrainConfig& config, const std::string& run_data, const std::string& now,
                        const fs::path& run_dir, const TrainOptions& options) {
  const std::string& was = config.data_fingerprint;
  if (!was.empty() && was != now) {
    GANKIT_CHECK_USAGE(options.allow_data_change,
                       GANKIT_SETTING("resume") ": {} holds other images than the run was trained on ({}: fingerprint {}, now {}); "
                       "pass " GANKIT_SETTING("allow_data_change") " to continue on them anyway",
                       config.data, run_data, was, now);
    if (!options.progress.quiet)
      std::fprintf(stderr, "gan-train: note: the data changed (%s, fingerprint %s -> %s); recorded in %s\n",
                   config.data.c_str(), was.c_str(), now.c_str(), (run_dir / "config.json").c_str());
  }
  config.data_fingerprint = now;
}

// A run resumed on another number of ranks trains on the same global minibatches and random
// draws, but sums its gradients in another order (and BatchNorm's batch statistics cover other
// images): it goes on, not bit for bit. Says so.
void note_world_change(const fs::path& config_path, int world, const TrainOptions& options) {
  int was = 1;
  try {
    std::ifstream in(config_path);
    was = nlohmann::json::parse(in).value("world_size", 1);
  } catch (const std::exception&) {
    return;  // no readable config.json: nothing to compare
  }
  if (was != world && !options.progress.quiet)
    std::fprintf(stderr,
                 "gan-train: note: the run trained on %d rank(s), now %d: the same global minibatches and draws, "
                 "but not bit for bit (other rounding; BatchNorm's batch statistics cover other images); a resume "
                 "is exact on the same number of ranks\n",
                 was, world);
}

// Every weight and buffer of the networks (G's moving average included): what data-parallel
// ranks share.
std::vector<torch::Tensor> model_tensors(GanModels& m) {
  std::vector<torch::Tensor> all;
  for (torch::nn::Module* mod : {&m.generator(), &m.discriminator()}) {
    for (const auto& p : mod->parameters()) all.push_back(p);
    for (const auto& b : mod->buffers()) all.push_back(b);
  }
  if (m.pg_ema)
    for (const auto& p : m.pg_ema->parameters()) all.push_back(p);
  return all;
}

// Running means of the logged quantities over one log interval.
struct Interval {
  double loss_d = 0, loss_g = 0, d_real = 0, d_fake = 0, gp = 0, drift = 0;
  int64_t critic_updates = 0, steps = 0, images = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void add(const StepStats& st) {
    loss_d += st.loss_d;
    d_real += st.d_real;
    d_fake += st.d_fake;
    gp += st.gp;
    drift += st.drift;
    critic_updates += st.critic_updates;
    loss_g += st.loss_g;
    ++steps;
    images += st.images;
  }
};

// Checks the data and the settings, and for a resume the checkpoint's settings and data
// fingerprint; returns the config to train (channels and fingerprint filled in) and, for a
// resume, the checkpoint's metadata and the data changes to record.
struct PreparedRun {
  CheckpointMeta meta;
  nlohmann::json data_changes = nlohmann::json::array();
};

// Half of this machine's memory, in MB: what the training data may take unless told.
int64_t default_data_cache_mb() {
  const double ram = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  return std::max<int64_t>(64, static_cast<int64_t>(ram / 2 / (1 << 20)));
}

void check_data_levels(TrainConfig& config) {
  PyramidReader probe(config.data);
  if (config.arch == GanArch::Progan) {  // every level the network grows through
    for (int r = 4; r <= config.resolution && r <= 1024; r *= 2) probe.require_level(r);
  } else {
    probe.require_level(config.resolution);
  }
  config.channels = probe.channels();
}

// `folder`: rank 0's (the one that records data changes); null on the other ranks.
PreparedRun check_resume(TrainConfig& config, const fs::path& run_dir, const TrainRunFolder* folder,
                         const TrainOptions& options) {
  PreparedRun p;
  // First: a resume with other settings is named as such, not as a bad setting.
  p.meta = options.resume_point ? *options.resume_point : resume_point(run_dir);
  // The run's config as this version reads it (fields added since take their defaults).
  const TrainConfig run = from_json(p.meta.config);
  if (config.data_cache_mb == 0) config.data_cache_mb = run.data_cache_mb;  // unset: the run's
  const std::string diff = first_training_difference(to_json(run), to_json(config));
  GANKIT_CHECK_USAGE(diff.empty(),
                     GANKIT_SETTING("resume") ": settings differ from the run's ({}); start a new run to change them",
                     diff);
  validate(config);
  const std::string was = config.data_fingerprint;
  const std::string now = dataset_fingerprint(PyramidReader(config.data), config.resolution);
  check_resumed_data(config, run.data, now, run_dir, options);
  if (folder) p.data_changes = folder->recorded_data_changes();
  if (!was.empty() && was != now)
    p.data_changes.push_back({{"step", p.meta.state.step},
                              {"from", run.data},
                              {"from_fingerprint", was},
                              {"to", config.data},
                              {"to_fingerprint", now}});
  return p;
}

// The loop's bookkeeping that is not training: logging, sample grids, checkpoints and their
// kept copies, measurements (--eval-every), and the clock of training time.
class TrainLoop {
 public:
  // `folder` is null on the ranks other than 0: they train, rank 0 alone writes.
  TrainLoop(const TrainConfig& config, const TrainOptions& options, TrainRunFolder* folder, GanModels& m,
            TrainSchedule& schedule, TrainState& state, const c10::Device& device)
      : config_(config),
        options_(options),
        folder_(folder),
        m_(m),
        schedule_(schedule),
        state_(state),
        fixed_z_(torch::randn({kGridImages, config.z_dim}, cpu_generator(derive_seed(config.seed, kSampleStream, 0)))
                     .to(device)),
        progress_("train", schedule.planned_images(state), options.progress, "img") {
    saved_step_ = options.resume ? state.step : -1;
    for (torch::nn::Module* mod : {&m.generator(), &m.discriminator()})
      for (const auto& b : mod->buffers()) buffers_.push_back(b);
    summary_.start_step = state.step;
  }

  TrainSummary run();

 private:
  void write_samples();
  void write_checkpoint();
  void log_interval(std::chrono::steady_clock::time_point now);
  bool eval_due() const {
    return folder_ && options_.eval_every > 0 && options_.on_eval && state_.step % options_.eval_every == 0;
  }

  const TrainConfig& config_;
  const TrainOptions& options_;
  TrainRunFolder* folder_;
  GanModels& m_;
  TrainSchedule& schedule_;
  TrainState& state_;
  torch::Tensor fixed_z_;
  Progress progress_;
  TrainSummary summary_;
  Interval iv_;
  int64_t saved_step_;                  // step of checkpoints/latest.pt (-1: none yet)
  std::vector<torch::Tensor> buffers_;  // the networks' buffers (BatchNorm statistics)
  int64_t session_images_ = 0;
  std::chrono::steady_clock::time_point session_start_ = std::chrono::steady_clock::now(), clock_ = session_start_;
  std::chrono::steady_clock::duration paused_{};  // spent measuring (--eval-every), not training
};

void TrainLoop::write_samples() {
  if (!folder_) return;
  torch::NoGradGuard no_grad;
  summary_.samples = folder_->sample_path(state_.step);
  write_image(summary_.samples, tile_images(tensor_to_images(schedule_.sample(m_, fixed_z_)), kGridCols));
}

void TrainLoop::write_checkpoint() {
  if (options_.parallel) options_.parallel->check_same(model_tensors(m_), state_.step);
  if (!folder_) return;
  save_checkpoint(folder_->latest(), m_, config_, state_);
  folder_->keep_run();
  saved_step_ = state_.step;
  summary_.checkpoint = folder_->latest();
  const std::string kept = fmt::format("step_{:06}.pt", state_.step);
  if ((config_.keep_every > 0 && state_.step % config_.keep_every == 0) || eval_due())
    summary_.checkpoint = folder_->keep_copy(kept);
  if (eval_due()) {
    const auto before = std::chrono::steady_clock::now();
    options_.on_eval(folder_->dir() / "checkpoints" / kept);
    const auto spent = std::chrono::steady_clock::now() - before;
    paused_ += spent;
    clock_ += spent;
    iv_.start += spent;
  }
}

void TrainLoop::log_interval(std::chrono::steady_clock::time_point now) {
  const double secs = std::chrono::duration<double>(now - iv_.start).count();
  const double k = static_cast<double>(iv_.critic_updates);
  nlohmann::json rec = {
      {"step", state_.step}, {"epoch", schedule_.epochs_done(state_)}, {"kimg", schedule_.kimg(state_)}};
  schedule_.add_log_fields(rec);
  rec["loss_d"] = iv_.loss_d / k;
  rec["loss_g"] = iv_.loss_g / static_cast<double>(iv_.steps);
  rec["d_real"] = iv_.d_real / k;
  rec["d_fake"] = iv_.d_fake / k;
  if (config_.loss == GanLoss::Wgan || config_.loss == GanLoss::WganGp) rec["wdist"] = (iv_.d_real - iv_.d_fake) / k;
  if (config_.gp_lambda > 0) rec["gp"] = iv_.gp / k;
  if (config_.drift > 0) rec["drift"] = iv_.drift / k;
  rec["images_per_s"] = secs > 0 ? static_cast<double>(iv_.images) / secs : 0.0;
  rec["seconds"] = state_.seconds;
  if (folder_) folder_->log(rec);
  summary_.last_log = rec;
  iv_ = Interval();
}

TrainSummary TrainLoop::run() {
  // The untrained generator is the baseline every metric should beat: keep it.
  if (!options_.resume) {
    if (config_.sample_every > 0) write_samples();
    if (config_.keep_every > 0 || eval_due()) write_checkpoint();
  }
  while (!schedule_.finished(state_)) {
    at::Generator gen = cpu_generator(derive_seed(config_.seed, kStepStream, static_cast<uint64_t>(state_.step)));
    const StepStats st = schedule_.step(m_, state_, gen);
    // BatchNorm's running statistics: rank 0's on every rank after each step (DDP's
    // broadcast_buffers); the batch statistics of each forward pass stay per rank.
    if (options_.parallel && !buffers_.empty()) options_.parallel->broadcast(buffers_);
    iv_.add(st);
    session_images_ += st.images;
    ++state_.step;
    const auto now = std::chrono::steady_clock::now();
    state_.seconds += std::chrono::duration<double>(now - clock_).count();
    clock_ = now;
    progress_.add(st.images);
    const double ld = iv_.loss_d / static_cast<double>(iv_.critic_updates);
    if (!std::isfinite(ld) || !std::isfinite(st.loss_g)) {
      progress_.finish();
      const std::string kept = saved_step_ >= 0 && folder_
                                   ? fmt::format("{} (step {})", folder_->latest().string(), saved_step_)
                                   : "none written yet";
      fail(ErrorKind::Data,
           fmt::format("training diverged at step {}: loss_d {} loss_g {} (not finite); last good checkpoint: {}; "
                       "lower " GANKIT_SETTING("lr_d") "/" GANKIT_SETTING("lr_g"),
                       state_.step, ld, st.loss_g, kept));
    }
    const bool last = schedule_.finished(state_);
    const std::string phase = schedule_.finished_phase();
    if (state_.step % config_.log_every == 0 || last || !phase.empty()) log_interval(now);
    if ((config_.sample_every > 0 && state_.step % config_.sample_every == 0) || last) write_samples();
    if ((config_.checkpoint_every > 0 && state_.step % config_.checkpoint_every == 0) || last || !phase.empty() ||
        eval_due())
      write_checkpoint();
    if (!phase.empty() && folder_) summary_.checkpoint = folder_->keep_copy(phase);
  }
  progress_.finish();
  summary_.state = state_;
  summary_.epochs = schedule_.epochs_done(state_);
  const double session =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_ - paused_).count();
  summary_.images_per_s = session > 0 ? static_cast<double>(session_images_) / session : 0.0;
  if (folder_ && summary_.checkpoint.empty() && fs::exists(folder_->latest())) summary_.checkpoint = folder_->latest();
  return summary_;
}

}  // namespace

void check_data_parallel(const TrainConfig& c, int w) {
  if (c.arch != GanArch::Progan) {
    GANKIT_CHECK_USAGE(
        c.batch % w == 0,
        GANKIT_SETTING("batch") " {}: {} ranks each take an equal part of the minibatch (a multiple of {})", c.batch, w,
        w);
    return;
  }
  for (int r = 4; r <= c.resolution; r *= 2)
    GANKIT_CHECK_USAGE(progan_batch(c.batch, r) % (4 * w) == 0,
                       GANKIT_SETTING("batch") " {}: progan's minibatch at {}x{} is {}; {} ranks need a multiple of {} (stddev groups "
                       "of 4 in every rank's part)",
                       c.batch, r, r, progan_batch(c.batch, r), w, 4 * w);
}

namespace {

// Every rank starts from rank 0's weights (the same seed makes them equal already; this keeps it
// so whatever a rank did before).
void broadcast_models(GanModels& m, DataParallel& dp) { dp.broadcast(model_tensors(m)); }

}  // namespace

CheckpointMeta resume_point(const fs::path& run_dir) {
  const fs::path latest = run_dir / "checkpoints" / "latest.pt";
  GANKIT_CHECK_DATA(fs::is_regular_file(latest),
                    GANKIT_SETTING("resume") ": {} holds no checkpoint to resume (checkpoints/latest.pt is missing)",
                    run_dir.string());
  return read_checkpoint_meta(latest);
}

TrainSummary train_gan(TrainConfig config, const fs::path& run_dir, const TrainOptions& options) {
  DataParallel* const dp = options.parallel;
  const bool writer = dp == nullptr || dp->rank() == 0;  // rank 0 alone writes the run folder
  check_data_levels(config);
  if (!options.resume) validate(config);  // before anything is created
  std::optional<TrainRunFolder> folder;
  if (writer) folder.emplace(run_dir, options.resume);
  PreparedRun prepared;
  if (options.resume)
    prepared = check_resume(config, run_dir, writer ? &*folder : nullptr, options);
  else
    config.data_fingerprint = dataset_fingerprint(PyramidReader(config.data), config.resolution);
  if (dp) check_data_parallel(config, dp->world());
  if (config.data_cache_mb == 0) config.data_cache_mb = default_data_cache_mb();
  if (dp) {  // rank 0's cache size on every rank: it decides the streamed order all ranks share
    const torch::Tensor mb = torch::tensor({config.data_cache_mb}, torch::kInt64);
    dp->broadcast({mb});
    config.data_cache_mb = mb.item<int64_t>();
  }
  const c10::Device device = torch_device(config.device);
  set_torch_threads(config.threads);
  if (writer) {
    folder->prepare(options.overwrite);
    if (options.resume) note_world_change(folder->config_path(), dp ? dp->world() : 1, options);
    nlohmann::json config_file = to_json(config);
    if (!prepared.data_changes.empty()) config_file["data_changes"] = prepared.data_changes;
    config_file["world_size"] = dp ? dp->world() : 1;
    config_file["tool_version"] = tool_version();
    config_file["torch_version"] = TORCH_VERSION;
    folder->write_config(config_file);
  }

  GanModels m = make_models(config, device);
  TrainState state;
  const fs::path latest = run_dir / "checkpoints" / "latest.pt";
  if (options.resume) {
    load_checkpoint(latest, m, device);
    if (writer) forget_input(latest);  // the run's own checkpoint: read, then replaced as training goes on
    state = prepared.meta.state;
  }
  if (dp) broadcast_models(m, *dp);
  std::unique_ptr<TrainSchedule> schedule = make_train_schedule(config, state, device, options.progress, dp);
  if (writer && !options.progress.quiet) {
    std::string where = device.is_cpu() ? fmt::format("cpu, {} threads", at::get_num_threads()) : device.str();
    if (dp) where += fmt::format(", {} ranks on c10d {} (global minibatch split by rows)", dp->world(), dp->engine());
    std::fprintf(stderr, "%s\n", schedule->banner(state, where).c_str());
  }
  if (writer) folder->open_log(options.resume ? state.step : -1);
  TrainLoop loop(config, options, writer ? &*folder : nullptr, m, *schedule, state, device);
  return loop.run();
}

}  // namespace gankit
