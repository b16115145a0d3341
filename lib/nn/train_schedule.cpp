#include "train_schedule.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "data_parallel.h"
#include "gan_loss.h"
#include "image_tensor.h"
#include "progan_schedule.h"
#include "real_images.h"

namespace gankit {

int64_t planned_steps(const TrainConfig& config, int64_t batches_per_epoch) {
  if (config.epochs <= 0) return config.steps;
  const auto limit = static_cast<int64_t>(std::llround(config.epochs * static_cast<double>(batches_per_epoch)));
  int64_t step = 0;
  for (int64_t batches = 0; batches < limit && (config.steps <= 0 || step < config.steps); ++step)
    batches += critic_steps(config, step);
  return step;
}

namespace {

DataPolicy data_policy(const TrainConfig& c) { return {c.data_in_memory, c.data_cache_mb << 20}; }

class DcganSchedule : public TrainSchedule {
 public:
  DcganSchedule(const TrainConfig& config, const c10::Device& device, const ProgressOptions& progress,
                DataParallel* parallel)
      : config_(config),
        device_(device),
        parallel_(parallel),
        data_(config.data, config.resolution, config.batch, config.seed, progress, data_policy(config)),
        total_(planned_steps(config, data_.batches_per_epoch())) {}

  bool finished(const TrainState& s) const override { return s.step >= total_; }
  int64_t planned_images(const TrainState& s) const override {
    int64_t n = 0;
    for (int64_t step = s.step; step < total_; ++step)
      n += static_cast<int64_t>(critic_steps(config_, step)) * config_.batch;
    return n;
  }
  double epochs_done(const TrainState& s) const override {
    return static_cast<double>(s.real_batches) / static_cast<double>(data_.batches_per_epoch());
  }
  double kimg(const TrainState& s) const override {
    return static_cast<double>(s.real_batches) * config_.batch / 1000.0;
  }
  StepStats step(GanModels& m, TrainState& state, at::Generator gen) override;
  torch::Tensor sample(GanModels& m, const torch::Tensor& z) override {
    m.g->eval();
    torch::Tensor out = m.g->forward(z);
    m.g->train();
    return out;
  }
  std::string banner(const TrainState& s, const std::string& where) const override {
    return fmt::format("gan-train: {}/{} {}x{}, {} images x {} ch {}, {} batches of {} per epoch, {}, step {} -> {}",
                       to_string(config_.arch), to_string(config_.loss), config_.resolution, config_.resolution,
                       data_.count(), data_.channels(), data_.describe(), data_.batches_per_epoch(), config_.batch,
                       where, s.step, total_);
  }

 private:
  // This rank's rows of a global draw (all of it in one process).
  torch::Tensor part(const torch::Tensor& global) const { return parallel_ ? parallel_->part(global) : global; }
  int rank() const { return parallel_ ? parallel_->rank() : 0; }
  int world() const { return parallel_ ? parallel_->world() : 1; }

  const TrainConfig& config_;
  c10::Device device_;
  DataParallel* parallel_;
  RealImages data_;
  int64_t total_;
};

// critic_steps() critic updates, each on the next real minibatch and fresh z, then one
// generator update on fresh z.
StepStats DcganSchedule::step(GanModels& m, TrainState& state, at::Generator gen) {
  const TrainConfig& config = config_;
  StepStats s;
  std::vector<torch::Tensor> d_params = m.d->parameters();
  const int n_critic = critic_steps(config, state.step);
  for (int j = 0; j < n_critic; ++j) {
    const torch::Tensor real = data_.batch(state.real_batches++, rank(), world()).to(device_);
    const torch::Tensor z = part(torch::randn({config.batch, config.z_dim}, gen)).to(device_);
    torch::Tensor fake;
    {
      torch::NoGradGuard no_grad;
      fake = m.g->forward(z);
    }
    const torch::Tensor d_real = m.d->forward(real), d_fake = m.d->forward(fake);
    const torch::Tensor loss_d = discriminator_loss(config.loss, d_real, d_fake);
    torch::Tensor total_d = loss_d;
    if (config.gp_lambda > 0) {
      const torch::Tensor gp = gradient_penalty([&](const torch::Tensor& x) { return m.d->forward(x); }, real, fake,
                                                config.gp_lambda, gen, rank(), world());
      total_d = loss_d + gp;
      s.gp += gp.item<double>();
    }
    m.opt_d->zero_grad();
    total_d.backward();
    if (parallel_) parallel_->average_gradients(d_params);
    m.opt_d->step();
    if (config.clip > 0) clip_weights(d_params, config.clip);
    s.loss_d += loss_d.item<double>();
    s.d_real += d_real.mean().item<double>();
    s.d_fake += d_fake.mean().item<double>();
    ++s.critic_updates;
  }
  // Generator step: D's weights take no gradient (saves a third of D's backward pass).
  for (auto& p : d_params) p.requires_grad_(false);
  const torch::Tensor z = part(torch::randn({config.batch, config.z_dim}, gen)).to(device_);
  const torch::Tensor loss_g = generator_loss(config.loss, m.d->forward(m.g->forward(z)));
  m.opt_g->zero_grad();
  loss_g.backward();
  if (parallel_) parallel_->average_gradients(m.g->parameters());
  m.opt_g->step();
  for (auto& p : d_params) p.requires_grad_(true);
  s.loss_g = loss_g.item<double>();
  s.images = static_cast<int64_t>(n_critic) * config.batch;
  if (parallel_) {  // the logged values: means over the ranks, i.e. over the global minibatches
    const auto v = parallel_->average({s.loss_d, s.d_real, s.d_fake, s.gp, s.loss_g});
    s.loss_d = v[0], s.d_real = v[1], s.d_fake = v[2], s.gp = v[3], s.loss_g = v[4];
  }
  return s;
}

class ProganTrainSchedule : public TrainSchedule {
 public:
  ProganTrainSchedule(const TrainConfig& config, const TrainState& state, const c10::Device& device,
                      const ProgressOptions& progress, DataParallel* parallel)
      : config_(config),
        device_(device),
        parallel_(parallel),
        progress_(progress),
        schedule_(progan_schedule(config)),
        pos_(schedule_.at(state.images)),
        target_(static_cast<int64_t>(std::llround(config.kimg * 1000.0))) {
    load_level(pos_.level);
  }

  bool finished(const TrainState& s) const override { return s.images >= target_; }
  int64_t planned_images(const TrainState& s) const override { return std::max<int64_t>(0, target_ - s.images); }
  double epochs_done(const TrainState& s) const override {
    return static_cast<double>(s.images) / static_cast<double>(data_->count());
  }
  double kimg(const TrainState& s) const override { return static_cast<double>(s.images) / 1000.0; }
  StepStats step(GanModels& m, TrainState& state, at::Generator gen) override;
  std::string finished_phase() const override { return finished_phase_; }
  void add_log_fields(nlohmann::json& rec) const override {
    rec["resolution"] = level_resolution(pos_.level);
    rec["alpha"] = pos_.alpha;
  }
  torch::Tensor sample(GanModels& m, const torch::Tensor& z) override {
    torch::Tensor out = m.pg_ema->forward(z, pos_.level, pos_.alpha);
    // Small levels are enlarged (nearest) to 32 px so that early grids can be looked at.
    for (int r = level_resolution(pos_.level); r < 32; r *= 2) out = upsample2x(out);
    return out;
  }
  std::string banner(const TrainState& s, const std::string& where) const override {
    return fmt::format(
        "gan-train: progan/{} 4x4 -> {}x{} (fade {:g} + stable {:g} kimg per level), {} images x {} ch, "
        "minibatch {}, {}, {:.1f} -> {:.1f} kimg; {}x{} data {}",
        to_string(config_.loss), config_.resolution, config_.resolution, config_.fade_kimg, config_.stable_kimg,
        data_->count(), data_->channels(), config_.batch, where, static_cast<double>(s.images) / 1000.0, config_.kimg,
        level_resolution(data_level_), level_resolution(data_level_), data_->describe());
  }

 private:
  void load_level(int level) {
    data_.reset();  // free the previous level first
    const int r = level_resolution(level);
    data_ = std::make_unique<RealImages>(config_.data, r, progan_batch(config_.batch, r), config_.seed, progress_,
                                         data_policy(config_));
    data_level_ = level;
  }

  const TrainConfig& config_;
  c10::Device device_;
  DataParallel* parallel_;
  ProgressOptions progress_;
  ProganSchedule schedule_;
  ProganPosition pos_;  // schedule_.at(state.images), kept current after every step
  int64_t target_;
  std::unique_ptr<RealImages> data_;
  int data_level_ = -1;
  std::string finished_phase_;
};

StepStats ProganTrainSchedule::step(GanModels& m, TrainState& state, at::Generator gen) {
  if (pos_.segment != state.opt_segment) {  // a new phase starts with fresh optimiser states
    reset_optimizers(m, config_);
    state.opt_segment = pos_.segment;
  }
  if (pos_.level != data_level_) load_level(pos_.level);
  const int n = progan_batch(config_.batch, level_resolution(pos_.level));
  torch::Tensor reals =
      data_->images_at(state.images, n, parallel_ ? parallel_->rank() : 0, parallel_ ? parallel_->world() : 1);
  if (pos_.level > 0) reals = fade_real_images(reals, pos_.alpha);
  const StepStats st = progan_step(m, config_, reals.to(device_), pos_, gen, parallel_);
  state.images += st.images;
  const ProganPosition next = schedule_.at(state.images);
  finished_phase_.clear();
  if (next.segment != pos_.segment) {  // the end of every phase is kept, for measuring each resolution
    const int segment = pos_.segment, level = (segment + 1) / 2, r = level_resolution(level);
    finished_phase_ = fmt::format("phase{:02}_{}x{}_{}.pt", segment, r, r, segment % 2 ? "fade" : "stable");
  }
  pos_ = next;
  return st;
}

}  // namespace

std::unique_ptr<TrainSchedule> make_train_schedule(const TrainConfig& config, const TrainState& state,
                                                   const c10::Device& device, const ProgressOptions& progress,
                                                   DataParallel* parallel) {
  if (config.arch == GanArch::Progan)
    return std::make_unique<ProganTrainSchedule>(config, state, device, progress, parallel);
  return std::make_unique<DcganSchedule>(config, device, progress, parallel);
}

}  // namespace gankit
