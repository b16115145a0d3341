#include "trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

#include "atomic_output.h"
#include "device.h"
#include "error.h"
#include "folder_lock.h"
#include "gan_loss.h"
#include "hdf5_store.h"
#include "image_grid.h"
#include "image_io.h"
#include "image_tensor.h"
#include "progan_schedule.h"
#include "progan_step.h"
#include "real_images.h"
#include "rng.h"

namespace gankit {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kStepStream = 0x53544550ull;    // "STEP": z and penalty draws of step s
constexpr uint64_t kSampleStream = 0x53414d50ull;  // "SAMP": the fixed z of the sample grids
constexpr int kGridImages = 64, kGridCols = 8;

at::Generator cpu_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

// metrics.jsonl is written by gan-eval compare; a run started over must not keep its measurements.
constexpr const char* kRunFiles[] = {"config.json", "log.jsonl", "samples", "checkpoints", "metrics.jsonl"};

void create_folder(const fs::path& dir) {
  try {
    fs::create_directories(dir);
  } catch (const fs::filesystem_error& e) {
    fail(ErrorKind::Data, fmt::format("cannot create run folder {}: {}", dir.string(), e.code().message()));
  }
}

// Prepares the run folder (created and locked by the caller). A new run needs a folder without a
// run in it, unless `overwrite`, which removes only our own files from it.
void prepare_run_dir(const fs::path& dir, const TrainOptions& options) {
  if (!options.resume && (fs::exists(dir / "config.json") || fs::exists(dir / "checkpoints"))) {
    GANKIT_CHECK_USAGE(options.overwrite,
                       "{} already holds a run (config.json): pass --resume to continue it or --overwrite to start over",
                       dir.string());
    for (const char* name : kRunFiles) fs::remove_all(dir / name);
  }
  create_folder(dir / "samples");
  create_folder(dir / "checkpoints");
  GANKIT_CHECK_DATA(access(dir.c_str(), W_OK) == 0, "run folder {} is not writable", dir.string());
}

// A new run's files, removed again when its start fails before the first checkpoint (no data, a
// corrupt file, a full disk): a failed start leaves no run behind, which a later start would take
// for a run and --resume for a broken one.
// Until prepare_run_dir() has made the folder ours, only the lock file (and the folder, when this
// start created it) is removed: the files of a run already there are never touched.
class NewRunCleanup {
 public:
  NewRunCleanup(fs::path dir, bool created_dir, FolderLock& lock)
      : dir_(std::move(dir)), created_dir_(created_dir), lock_(lock) {}
  ~NewRunCleanup() {
    if (kept_) return;
    std::error_code ec;
    if (owns_run_files_)
      for (const char* name : kRunFiles) fs::remove_all(dir_ / name, ec);
    lock_.release_and_remove();
    if (created_dir_) fs::remove(dir_, ec);  // only when empty
  }
  void own_run_files() { owns_run_files_ = true; }
  void keep() { kept_ = true; }

 private:
  fs::path dir_;
  bool created_dir_;
  FolderLock& lock_;
  bool owns_run_files_ = false;
  bool kept_ = false;
};

// The data changes recorded in the run's config.json (by --allow-data-change), oldest first.
nlohmann::json recorded_data_changes(const fs::path& run_dir) {
  std::ifstream in(run_dir / "config.json");
  try {
    return nlohmann::json::parse(in).value("data_changes", nlohmann::json::array());
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json::array();
  }
}

// The data of a resumed run must be the run's: the same images (by fingerprint), wherever the
// file now lives. `config` holds the run's fingerprint; it is replaced by `now`.
void check_resumed_data(TrainConfig& config, const std::string& run_data, const std::string& now,
                        const fs::path& run_dir, const TrainOptions& options) {
  const std::string& was = config.data_fingerprint;
  if (!was.empty() && was != now) {
    GANKIT_CHECK_USAGE(options.allow_data_change,
                       "--resume: {} holds other images than the run was trained on ({}: fingerprint {}, now {}); "
                       "pass --allow-data-change to continue on them anyway",
                       config.data, run_data, was, now);
    if (!options.progress.quiet)
      std::fprintf(stderr, "gan-train: note: the data changed (%s, fingerprint %s -> %s); recorded in %s\n",
                   config.data.c_str(), was.c_str(), now.c_str(), (run_dir / "config.json").c_str());
  }
  config.data_fingerprint = now;
}

// Keeps the log records of steps <= step (a resume replays what followed the checkpoint).
void truncate_log(const fs::path& path, int64_t step) {
  if (!fs::exists(path)) return;
  std::ifstream in(path);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      if (nlohmann::json::parse(line).value("step", int64_t{0}) > step) continue;
    } catch (const nlohmann::json::exception&) {
      continue;  // a line cut by a crash
    }
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

// Running means of the logged quantities over one log interval.
struct Interval {
  double loss_d = 0, loss_g = 0, d_real = 0, d_fake = 0, gp = 0, drift = 0;
  int64_t critic_updates = 0, steps = 0, images = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

}  // namespace

int64_t planned_steps(const TrainConfig& config, int64_t batches_per_epoch) {
  if (config.epochs <= 0) return config.steps;
  const auto limit = static_cast<int64_t>(std::llround(config.epochs * static_cast<double>(batches_per_epoch)));
  int64_t step = 0;
  for (int64_t batches = 0; batches < limit && (config.steps <= 0 || step < config.steps); ++step)
    batches += critic_steps(config, step);
  return step;
}

namespace {

// One DCGAN-family generator step: critic_steps() critic updates, each on the next real
// minibatch and fresh z, then one generator update on fresh z.
StepStats dcgan_step(GanModels& m, const TrainConfig& config, RealImages& data, TrainState& state, at::Generator gen,
                     const c10::Device& device) {
  StepStats s;
  std::vector<torch::Tensor> d_params = m.d->parameters();
  const int n_critic = critic_steps(config, state.step);
  for (int j = 0; j < n_critic; ++j) {
    const torch::Tensor real = data.batch(state.real_batches++).to(device);
    const torch::Tensor z = torch::randn({config.batch, config.z_dim}, gen).to(device);
    torch::Tensor fake;
    {
      torch::NoGradGuard no_grad;
      fake = m.g->forward(z);
    }
    const torch::Tensor d_real = m.d->forward(real), d_fake = m.d->forward(fake);
    const torch::Tensor loss_d = discriminator_loss(config.loss, d_real, d_fake);
    torch::Tensor total_d = loss_d;
    if (config.gp_lambda > 0) {
      const torch::Tensor gp =
          gradient_penalty([&](const torch::Tensor& x) { return m.d->forward(x); }, real, fake, config.gp_lambda, gen);
      total_d = loss_d + gp;
      s.gp += gp.item<double>();
    }
    m.opt_d->zero_grad();
    total_d.backward();
    m.opt_d->step();
    if (config.clip > 0) clip_weights(d_params, config.clip);
    s.loss_d += loss_d.item<double>();
    s.d_real += d_real.mean().item<double>();
    s.d_fake += d_fake.mean().item<double>();
    ++s.critic_updates;
  }
  // Generator step: D's weights take no gradient (saves a third of D's backward pass).
  for (auto& p : d_params) p.requires_grad_(false);
  const torch::Tensor z = torch::randn({config.batch, config.z_dim}, gen).to(device);
  const torch::Tensor loss_g = generator_loss(config.loss, m.d->forward(m.g->forward(z)));
  m.opt_g->zero_grad();
  loss_g.backward();
  m.opt_g->step();
  for (auto& p : d_params) p.requires_grad_(true);
  s.loss_g = loss_g.item<double>();
  s.images = static_cast<int64_t>(n_critic) * config.batch;
  return s;
}

}  // namespace

TrainSummary train_gan(TrainConfig config, const fs::path& run_dir, const TrainOptions& options) {
  const bool progan = config.arch == GanArch::Progan;
  {
    PyramidReader probe(config.data);
    if (progan) {  // every level the network grows through
      for (int r = 4; r <= config.resolution && r <= 1024; r *= 2) probe.require_level(r);
    } else {
      probe.require_level(config.resolution);
    }
    config.channels = probe.channels();
  }
  // Read once the resolution is known to be valid (validate() below).
  auto fingerprint_of_data = [&] { return dataset_fingerprint(PyramidReader(config.data), config.resolution); };
  const fs::path ckpt_dir = run_dir / "checkpoints", latest = ckpt_dir / "latest.pt";
  if (!options.resume) validate(config);  // before anything is created
  // One process per run folder: the lock comes before anything in the folder is read or written.
  const bool created_dir = !options.resume && !fs::exists(run_dir);
  if (created_dir) create_folder(run_dir);
  GANKIT_CHECK_DATA(fs::is_directory(run_dir), "run folder {} {}", run_dir.string(),
                    fs::exists(run_dir) ? "is not a folder" : "does not exist");
  FolderLock lock(run_dir);
  std::optional<NewRunCleanup> cleanup;
  if (!options.resume) cleanup.emplace(run_dir, created_dir, lock);
  CheckpointMeta meta;
  nlohmann::json data_changes = nlohmann::json::array();
  if (options.resume) {  // first: a resume with other settings is named as such, not as a bad setting
    GANKIT_CHECK_DATA(fs::is_regular_file(latest),
                      "--resume: {} holds no checkpoint to resume (checkpoints/latest.pt is missing)",
                      run_dir.string());
    meta = read_checkpoint_meta(latest);
    // The run's config as this version reads it (fields added since take their defaults).
    const TrainConfig run = from_json(meta.config);
    const std::string diff = first_training_difference(to_json(run), to_json(config));
    GANKIT_CHECK_USAGE(diff.empty(), "--resume: settings differ from the run's ({}); start a new run to change them",
                       diff);
    validate(config);
    const std::string was = config.data_fingerprint, now = fingerprint_of_data();
    check_resumed_data(config, run.data, now, run_dir, options);
    data_changes = recorded_data_changes(run_dir);
    if (!was.empty() && was != now)
      data_changes.push_back({{"step", meta.state.step}, {"from", run.data}, {"from_fingerprint", was},
                              {"to", config.data}, {"to_fingerprint", now}});
  } else {
    config.data_fingerprint = fingerprint_of_data();
  }
  const c10::Device device = torch_device(config.device);
  set_torch_threads(config.threads);
  prepare_run_dir(run_dir, options);
  if (cleanup) cleanup->own_run_files();
  nlohmann::json config_file = to_json(config);
  if (!data_changes.empty()) config_file["data_changes"] = data_changes;
  config_file["tool_version"] = tool_version();
  config_file["torch_version"] = TORCH_VERSION;
  write_file_atomic(run_dir / "config.json", config_file.dump(2) + "\n");

  GanModels m = make_models(config, device);
  TrainState state;
  if (options.resume) {
    load_checkpoint(latest, m, device);
    forget_input(latest);  // the run's own checkpoint: read, then replaced as training goes on
    state = meta.state;
    truncate_log(run_dir / "log.jsonl", state.step);
  }
  // DCGAN: one level for the whole run. ProGAN: the level of the current resolution, replaced
  // when the network grows (only one level is held in memory).
  const ProganSchedule schedule = progan_schedule(config);
  ProganPosition pos = progan ? schedule.at(state.images) : ProganPosition{};
  int data_level = pos.level;
  auto load_data = [&](int resolution) {
    return std::make_unique<RealImages>(config.data, resolution, progan ? progan_batch(config.batch, resolution) : config.batch,
                                        config.seed, options.progress);
  };
  std::unique_ptr<RealImages> data = load_data(progan ? level_resolution(pos.level) : config.resolution);
  const int64_t bpe = data->batches_per_epoch();
  const int64_t total = progan ? 0 : planned_steps(config, bpe);
  const int64_t target_images = progan ? static_cast<int64_t>(std::llround(config.kimg * 1000.0)) : 0;
  // Passes over the data: DCGAN counts whole minibatches of an epoch, ProGAN images.
  auto epochs_done = [&] {
    return progan ? static_cast<double>(state.images) / static_cast<double>(data->count())
                  : static_cast<double>(state.real_batches) / static_cast<double>(bpe);
  };
  auto finished = [&] { return progan ? state.images >= target_images : state.step >= total; };
  const bool wasserstein = config.loss == GanLoss::Wgan || config.loss == GanLoss::WganGp;
  const torch::Tensor fixed_z =
      torch::randn({kGridImages, config.z_dim}, cpu_generator(derive_seed(config.seed, kSampleStream, 0))).to(device);
  const std::string where =
      device.is_cpu() ? fmt::format("cpu, {} threads", at::get_num_threads()) : device.str();

  if (!options.progress.quiet) {
    if (progan)
      std::fprintf(stderr,
                   "gan-train: progan/%s 4x4 -> %dx%d (fade %g + stable %g kimg per level), %lld images x %d ch, "
                   "minibatch %d, %s, %.1f -> %.1f kimg\n",
                   to_string(config.loss).c_str(), config.resolution, config.resolution, config.fade_kimg,
                   config.stable_kimg, static_cast<long long>(data->count()), data->channels(), config.batch,
                   where.c_str(), static_cast<double>(state.images) / 1000.0, config.kimg);
    else
      std::fprintf(stderr,
                   "gan-train: %s/%s %dx%d, %lld images x %d ch, %lld batches of %d per epoch, %s, step %lld -> %lld\n",
                   to_string(config.arch).c_str(), to_string(config.loss).c_str(), config.resolution,
                   config.resolution, static_cast<long long>(data->count()), data->channels(),
                   static_cast<long long>(bpe), config.batch, where.c_str(), static_cast<long long>(state.step),
                   static_cast<long long>(total));
  }

  TrainSummary summary;
  summary.start_step = state.step;
  std::ofstream log(run_dir / "log.jsonl", std::ios::app);
  GANKIT_CHECK_DATA(log.good(), "cannot write {}", (run_dir / "log.jsonl").string());
  int64_t planned_images = 0;  // real images the critic will see in this session: the progress unit
  if (progan)
    planned_images = std::max<int64_t>(0, target_images - state.images);
  else
    for (int64_t s = state.step; s < total; ++s)
      planned_images += static_cast<int64_t>(critic_steps(config, s)) * config.batch;
  Progress progress("train", planned_images, options.progress, "img");
  const auto session_start = std::chrono::steady_clock::now();
  int64_t session_images = 0;
  auto clock = session_start;
  int64_t saved_step = options.resume ? state.step : -1;  // step of checkpoints/latest.pt (-1: none yet)
  Interval iv;

  auto write_samples = [&] {
    torch::NoGradGuard no_grad;
    torch::Tensor out;
    if (progan) {
      out = m.pg_ema->forward(fixed_z, pos.level, pos.alpha);
      // Small levels are enlarged (nearest) to 32 px so that early grids can be looked at.
      for (int r = level_resolution(pos.level); r < 32; r *= 2) out = upsample2x(out);
    } else {
      m.g->eval();
      out = m.g->forward(fixed_z);
      m.g->train();
    }
    summary.samples = run_dir / "samples" / fmt::format("step_{:06}.png", state.step);
    write_image(summary.samples, tile_images(tensor_to_images(out), kGridCols));
  };
  auto keep_copy = [&](const fs::path& kept) {
    AtomicOutput out(kept, true);
    std::error_code ec;
    fs::copy_file(latest, out.temp_path(), ec);
    GANKIT_CHECK_DATA(!ec, "cannot write {}: {}", kept.string(), describe_write_errno(ec.value()));
    out.commit();
    summary.checkpoint = kept;
  };
  auto write_checkpoint = [&] {
    save_checkpoint(latest, m, config, state);
    if (cleanup) cleanup->keep();
    saved_step = state.step;
    summary.checkpoint = latest;
    if (config.keep_every > 0 && state.step % config.keep_every == 0)
      keep_copy(ckpt_dir / fmt::format("step_{:06}.pt", state.step));
  };

  // The untrained generator is the baseline every metric should beat: keep it.
  if (!options.resume) {
    if (config.sample_every > 0) write_samples();
    if (config.keep_every > 0) write_checkpoint();
  }
  while (!finished()) {
    at::Generator gen = cpu_generator(derive_seed(config.seed, kStepStream, static_cast<uint64_t>(state.step)));
    StepStats st;
    int finished_segment = -1;  // progan: the segment this step completed, if any
    if (progan) {  // pos is schedule.at(state.images): set before the loop and after every step
      if (pos.segment != state.opt_segment) {  // a new phase starts with fresh optimiser states
        reset_optimizers(m, config);
        state.opt_segment = pos.segment;
      }
      if (pos.level != data_level) {
        data.reset();  // free the previous level first
        data = load_data(level_resolution(pos.level));
        data_level = pos.level;
      }
      const int n = progan_batch(config.batch, level_resolution(pos.level));
      torch::Tensor reals = data->images_at(state.images, n);
      if (pos.level > 0) reals = fade_real_images(reals, pos.alpha);
      st = progan_step(m, config, reals.to(device), pos, gen);
      state.images += st.images;
      const ProganPosition next = schedule.at(state.images);
      if (next.segment != pos.segment) finished_segment = pos.segment;
      pos = next;
    } else {
      st = dcgan_step(m, config, *data, state, gen, device);
    }
    iv.loss_d += st.loss_d;
    iv.d_real += st.d_real;
    iv.d_fake += st.d_fake;
    iv.gp += st.gp;
    iv.drift += st.drift;
    iv.critic_updates += st.critic_updates;
    iv.loss_g += st.loss_g;
    ++iv.steps;
    iv.images += st.images;
    session_images += st.images;
    ++state.step;
    const auto now = std::chrono::steady_clock::now();
    state.seconds += std::chrono::duration<double>(now - clock).count();
    clock = now;
    progress.add(st.images);

    const double ld = iv.loss_d / static_cast<double>(iv.critic_updates);
    if (!std::isfinite(ld) || !std::isfinite(st.loss_g)) {
      progress.finish();
      const std::string kept =
          saved_step >= 0 ? fmt::format("{} (step {})", latest.string(), saved_step) : "none written yet";
      fail(ErrorKind::Data,
           fmt::format("training diverged at step {}: loss_d {} loss_g {} (not finite); last good checkpoint: {}; "
                       "lower --lr-d/--lr-g",
                       state.step, ld, st.loss_g, kept));
    }
    const bool last = finished();
    if (state.step % config.log_every == 0 || last || finished_segment >= 0) {
      const double secs = std::chrono::duration<double>(now - iv.start).count();
      const double k = static_cast<double>(iv.critic_updates);
      const double seen = progan ? static_cast<double>(state.images)
                                 : static_cast<double>(state.real_batches) * config.batch;
      nlohmann::json rec = {{"step", state.step}, {"epoch", epochs_done()}, {"kimg", seen / 1000.0}};
      if (progan) {
        rec["resolution"] = level_resolution(pos.level);
        rec["alpha"] = pos.alpha;
      }
      rec["loss_d"] = ld;
      rec["loss_g"] = iv.loss_g / static_cast<double>(iv.steps);
      rec["d_real"] = iv.d_real / k;
      rec["d_fake"] = iv.d_fake / k;
      if (wasserstein) rec["wdist"] = (iv.d_real - iv.d_fake) / k;
      if (config.gp_lambda > 0) rec["gp"] = iv.gp / k;
      if (config.drift > 0) rec["drift"] = iv.drift / k;
      rec["images_per_s"] = secs > 0 ? static_cast<double>(iv.images) / secs : 0.0;
      rec["seconds"] = state.seconds;
      log << rec.dump() << "\n" << std::flush;
      GANKIT_CHECK_DATA(log.good(), "cannot write {}", (run_dir / "log.jsonl").string());
      summary.last_log = rec;
      iv = Interval();
    }
    if ((config.sample_every > 0 && state.step % config.sample_every == 0) || last) write_samples();
    if ((config.checkpoint_every > 0 && state.step % config.checkpoint_every == 0) || last ||
        finished_segment >= 0)
      write_checkpoint();
    if (finished_segment >= 0) {  // the end of every phase is kept, for measuring each resolution
      const int level = (finished_segment + 1) / 2;
      keep_copy(ckpt_dir / fmt::format("phase{:02}_{}x{}_{}.pt", finished_segment, level_resolution(level),
                                       level_resolution(level), finished_segment % 2 ? "fade" : "stable"));
    }
  }
  progress.finish();
  summary.state = state;
  summary.epochs = epochs_done();
  const double session = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
  summary.images_per_s = session > 0 ? static_cast<double>(session_images) / session : 0.0;
  if (summary.checkpoint.empty() && fs::exists(latest)) summary.checkpoint = latest;
  return summary;
}

}  // namespace gankit
