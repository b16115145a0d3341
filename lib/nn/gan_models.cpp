#include "gan_models.h"

#include <torch/optim/adam.h>
#include <torch/optim/rmsprop.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include "archive_io.h"
#include "error.h"
#include "hdf5_store.h"
#include "rng.h"

namespace gankit {

namespace {

constexpr uint64_t kInitStream = 0x494e4954ull;  // "INIT"
constexpr int kFormat = 1;

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, std::vector<torch::Tensor> params,
                                                        double lr) {
  if (c.optimizer == OptimizerKind::RmsProp)
    return std::make_unique<torch::optim::RMSprop>(std::move(params), torch::optim::RMSpropOptions(lr));
  return std::make_unique<torch::optim::Adam>(std::move(params),
                                              torch::optim::AdamOptions(lr).betas({c.beta1, c.beta2}).eps(1e-8));
}

}  // namespace

torch::nn::Module& GanModels::generator() { return pg ? static_cast<torch::nn::Module&>(*pg) : *g; }
torch::nn::Module& GanModels::discriminator() { return pd ? static_cast<torch::nn::Module&>(*pd) : *d; }

ProganShape progan_shape(const TrainConfig& config) {
  ProganShape s;
  s.resolution = config.resolution;
  s.channels = config.channels;
  s.z_dim = config.z_dim;
  s.fmap_base = config.fmap_base;
  s.fmap_max = config.fmap_max;
  return s;
}

ProganSchedule progan_schedule(const TrainConfig& config) {
  return {progan_shape(config).levels(), config.fade_kimg, config.stable_kimg};
}

void reset_optimizers(GanModels& m, const TrainConfig& config) {
  m.opt_g = make_optimizer(config, m.generator().parameters(), config.lr_g);
  m.opt_d = make_optimizer(config, m.discriminator().parameters(), config.lr_d);
}

GanModels make_models(const TrainConfig& config, const c10::Device& device) {
  torch::manual_seed(derive_seed(config.seed, kInitStream, 0));
  GanModels m;
  if (config.arch == GanArch::Progan) {
    const ProganShape shape = progan_shape(config);
    m.pg = ProganGenerator(shape);  // equalised LR: N(0, 1) weights drawn in the constructors
    m.pd = ProganDiscriminator(shape);
    m.pg_ema = ProganGenerator(shape);
    update_moving_average(*m.pg_ema, *m.pg, 0.0);  // the average starts as a copy of G
    m.pg->to(device);
    m.pd->to(device);
    m.pg_ema->to(device);
  } else {
    const DcganShape shape = DcganShape::of(config);
    m.g = DcganGenerator(shape);
    m.d = DcganDiscriminator(shape);
    init_dcgan_weights(*m.g, config.arch);
    init_dcgan_weights(*m.d, config.arch);
    m.g->to(device);
    m.d->to(device);
  }
  reset_optimizers(m, config);
  return m;
}

void save_checkpoint(const std::filesystem::path& path, GanModels& models, const TrainConfig& config,
                     const TrainState& state) {
  const nlohmann::json meta = {{"format", kFormat},
                               {"tool_version", tool_version()},
                               {"config", to_json(config)},
                               {"state",
                                {{"step", state.step},
                                 {"real_batches", state.real_batches},
                                 {"seconds", state.seconds},
                                 {"images", state.images},
                                 {"opt_segment", state.opt_segment}}}};
  torch::serialize::OutputArchive archive, g, d, opt_g, opt_d;
  models.generator().save(g);
  models.discriminator().save(d);
  if (models.pg_ema) {
    torch::serialize::OutputArchive g_ema;
    models.pg_ema->save(g_ema);
    archive.write("G_ema", g_ema);
  }
  models.opt_g->save(opt_g);
  models.opt_d->save(opt_d);
  archive.write("G", g);
  archive.write("D", d);
  archive.write("opt_g", opt_g);
  archive.write("opt_d", opt_d);
  archive.write("meta", c10::IValue(meta.dump()));
  save_archive(archive, path, "checkpoint");
}

CheckpointMeta read_checkpoint_meta(const std::filesystem::path& path) {
  auto archive = open_archive(path, c10::Device(c10::kCPU), "checkpoint");
  const std::string record = read_meta_record(archive, path, "checkpoint");
  CheckpointMeta meta;
  try {
    const auto j = nlohmann::json::parse(record);
    GANKIT_CHECK_DATA(j.at("format").get<int>() == kFormat, "{}: checkpoint format {} (this gankit reads {})",
                      path.string(), j.at("format").dump(), kFormat);
    meta.config = j.at("config");
    meta.tool_version = j.value("tool_version", "");
    const auto& s = j.at("state");
    meta.state.step = s.at("step").get<int64_t>();
    meta.state.real_batches = s.at("real_batches").get<int64_t>();
    meta.state.seconds = s.at("seconds").get<double>();
    meta.state.images = s.value("images", int64_t{0});
    meta.state.opt_segment = s.value("opt_segment", 0);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Data, fmt::format("{}: corrupt checkpoint meta record ({})", path.string(), e.what()));
  }
  return meta;
}

void load_checkpoint(const std::filesystem::path& path, GanModels& models, const c10::Device& device) {
  auto archive = open_archive(path, device, "checkpoint");
  torch::serialize::InputArchive g, d, opt_g, opt_d;
  try {
    archive.read("G", g);
    archive.read("D", d);
    archive.read("opt_g", opt_g);
    archive.read("opt_d", opt_d);
    models.generator().load(g);
    models.discriminator().load(d);
    if (models.pg_ema) {
      torch::serialize::InputArchive g_ema;
      archive.read("G_ema", g_ema);
      models.pg_ema->load(g_ema);
    }
    models.opt_g->load(opt_g);
    models.opt_d->load(opt_d);
  } catch (const std::exception& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    fail(ErrorKind::Data, fmt::format("{}: checkpoint does not fit this model ({})", path.string(), what));
  }
}

LoadedModels load_models(const std::filesystem::path& path, const c10::Device& device) {
  LoadedModels out;
  out.meta = read_checkpoint_meta(path);
  out.config = from_json(out.meta.config);
  out.models = make_models(out.config, device);
  load_checkpoint(path, out.models, device);
  return out;
}

}  // namespace gankit
