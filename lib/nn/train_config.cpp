#include "train_config.h"

#include <fmt/format.h>

#include <cmath>
#include <type_traits>

#include "error.h"

namespace gankit {

namespace {

template <typename E, size_t N>
E parse_name(const std::string& name, const char* option, const std::pair<const char*, E> (&table)[N]) {
  std::string choices;
  for (const auto& [text, value] : table) {
    if (name == text) return value;
    choices += choices.empty() ? text : std::string(", ") + text;
  }
  fail(ErrorKind::Usage, fmt::format("{} '{}': expected one of {}", option, name, choices));
}

template <typename E, size_t N>
std::string name_of(E value, const std::pair<const char*, E> (&table)[N]) {
  for (const auto& [text, v] : table)
    if (v == value) return text;
  return "?";
}

constexpr std::pair<const char*, GanLoss> kLosses[] = {
    {"gan", GanLoss::Gan}, {"wgan", GanLoss::Wgan}, {"wgan-gp", GanLoss::WganGp}, {"lsgan", GanLoss::Lsgan}};
constexpr std::pair<const char*, GanArch> kArchs[] = {
    {"dcgan", GanArch::Dcgan}, {"dcgan-selu", GanArch::DcganSelu}, {"progan", GanArch::Progan}};
constexpr std::pair<const char*, NormKind> kNorms[] = {
    {"batch", NormKind::Batch}, {"layer", NormKind::Layer}, {"none", NormKind::None}};
constexpr std::pair<const char*, DataResidency> kResidencies[] = {
    {"auto", DataResidency::Auto}, {"on", DataResidency::Memory}, {"off", DataResidency::Stream}};
constexpr std::pair<const char*, OptimizerKind> kOptimizers[] = {{"adam", OptimizerKind::Adam},
                                                                 {"rmsprop", OptimizerKind::RmsProp}};

}  // namespace

GanLoss parse_loss(const std::string& name) { return parse_name(name, GANKIT_SETTING("loss"), kLosses); }
GanArch parse_arch(const std::string& name) { return parse_name(name, GANKIT_SETTING("arch"), kArchs); }
NormKind parse_norm(const std::string& name) { return parse_name(name, GANKIT_SETTING("d_norm"), kNorms); }
OptimizerKind parse_optimizer(const std::string& name) {
  return parse_name(name, GANKIT_SETTING("optimizer"), kOptimizers);
}
DataResidency parse_residency(const std::string& name) {
  return parse_name(name, GANKIT_SETTING("data_in_memory"), kResidencies);
}
std::string to_string(DataResidency v) { return name_of(v, kResidencies); }
std::string to_string(GanLoss v) { return name_of(v, kLosses); }
std::string to_string(GanArch v) { return name_of(v, kArchs); }
std::string to_string(NormKind v) { return name_of(v, kNorms); }
std::string to_string(OptimizerKind v) { return name_of(v, kOptimizers); }

TrainConfig defaults_for(GanLoss loss) {
  TrainConfig c;
  c.loss = loss;
  switch (loss) {
    case GanLoss::Gan:  // DCGAN: Adam 2e-4, beta1 0.5, batch 128
      c.optimizer = OptimizerKind::Adam, c.lr_g = c.lr_d = 2e-4, c.beta1 = 0.5, c.beta2 = 0.999, c.batch = 128;
      c.n_critic = 1;
      break;
    case GanLoss::Wgan:  // WGAN: RMSprop 5e-5, clip 0.01, 5 critic steps (100 while warming up), batch 64
      c.optimizer = OptimizerKind::RmsProp, c.lr_g = c.lr_d = 5e-5, c.batch = 64;
      c.n_critic = 5, c.critic_warmup = true, c.clip = 0.01;
      break;
    case GanLoss::WganGp:  // WGAN-GP: Adam 1e-4 (0, 0.9), lambda 10, 5 critic steps, no BatchNorm in D
      c.optimizer = OptimizerKind::Adam, c.lr_g = c.lr_d = 1e-4, c.beta1 = 0.0, c.beta2 = 0.9, c.batch = 64;
      c.n_critic = 5, c.gp_lambda = 10, c.d_norm = NormKind::Layer;
      break;
    case GanLoss::Lsgan:  // LSGAN: Adam 2e-4, beta1 0.5, a=0 b=1 c=1, batch 64
      c.optimizer = OptimizerKind::Adam, c.lr_g = c.lr_d = 2e-4, c.beta1 = 0.5, c.beta2 = 0.999, c.batch = 64;
      c.n_critic = 1;
      break;
  }
  return c;
}

TrainConfig defaults_for(GanArch arch, GanLoss loss) {
  TrainConfig c = defaults_for(loss);
  c.arch = arch;
  if (arch == GanArch::DcganSelu) c.d_norm = NormKind::None;
  if (arch == GanArch::Progan) {  // official ProGAN: one critic step, Adam 1e-3 (0, 0.99, 1e-8)
    c.z_dim = 512, c.d_norm = NormKind::None;
    c.optimizer = OptimizerKind::Adam, c.lr_g = c.lr_d = 1e-3, c.beta1 = 0.0, c.beta2 = 0.99, c.batch = 16;
    c.n_critic = 1, c.critic_warmup = false, c.clip = 0;
    c.gp_lambda = loss == GanLoss::WganGp ? 10.0 : 0.0;
    c.drift = loss == GanLoss::WganGp ? 0.001 : 0.0;
  }
  return c;
}

namespace {

// Every field of TrainConfig, once: its JSON name, whether a resume must keep it (a training
// field) and the member. to_json, from_json and training_fields() all read this list.
template <typename Config, typename Visit>
void visit_fields(Config& c, Visit&& v) {
  constexpr bool kTraining = true, kRun = false;
  v("data", c.data, kRun);  // the file may move; its images are checked by fingerprint
  v("data_fingerprint", c.data_fingerprint, kRun);
  v("resolution", c.resolution, kTraining);
  v("channels", c.channels, kTraining);
  v("data_in_memory", c.data_in_memory, kTraining);
  v("data_cache_mb", c.data_cache_mb, kTraining);
  v("arch", c.arch, kTraining);
  v("loss", c.loss, kTraining);
  v("z_dim", c.z_dim, kTraining);
  v("ngf", c.ngf, kTraining);
  v("ndf", c.ndf, kTraining);
  v("d_norm", c.d_norm, kTraining);
  v("fmap_base", c.fmap_base, kTraining);
  v("fmap_max", c.fmap_max, kTraining);
  v("fade_kimg", c.fade_kimg, kTraining);
  v("stable_kimg", c.stable_kimg, kTraining);
  v("drift", c.drift, kTraining);
  v("g_ema", c.g_ema, kTraining);
  v("optimizer", c.optimizer, kTraining);
  v("lr_g", c.lr_g, kTraining);
  v("lr_d", c.lr_d, kTraining);
  v("beta1", c.beta1, kTraining);
  v("beta2", c.beta2, kTraining);
  v("batch", c.batch, kTraining);
  v("n_critic", c.n_critic, kTraining);
  v("critic_warmup", c.critic_warmup, kTraining);
  v("clip", c.clip, kTraining);
  v("gp_lambda", c.gp_lambda, kTraining);
  v("seed", c.seed, kTraining);
  v("steps", c.steps, kRun);
  v("epochs", c.epochs, kRun);
  v("kimg", c.kimg, kRun);
  v("device", c.device, kRun);
  v("threads", c.threads, kRun);
  v("log_every", c.log_every, kRun);
  v("sample_every", c.sample_every, kRun);
  v("checkpoint_every", c.checkpoint_every, kRun);
  v("keep_every", c.keep_every, kRun);
}

// The enums are stored by name.
void parse_into(const std::string& s, GanLoss& v) { v = parse_loss(s); }
void parse_into(const std::string& s, GanArch& v) { v = parse_arch(s); }
void parse_into(const std::string& s, NormKind& v) { v = parse_norm(s); }
void parse_into(const std::string& s, OptimizerKind& v) { v = parse_optimizer(s); }
void parse_into(const std::string& s, DataResidency& v) { v = parse_residency(s); }

}  // namespace

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  visit_fields(c, [&](const char* key, const auto& field, bool) {
    if constexpr (std::is_enum_v<std::decay_t<decltype(field)>>)
      j[key] = to_string(field);
    else
      j[key] = field;
  });
  return j;
}

TrainConfig from_json(const nlohmann::json& j, const TrainConfig& base) {
  TrainConfig c = base;
  visit_fields(c, [&](const char* key, auto& field, bool) {
    if (!j.contains(key)) return;
    const nlohmann::json& v = j.at(key);
    if constexpr (std::is_enum_v<std::decay_t<decltype(field)>>) {
      GANKIT_CHECK_USAGE(v.is_string(), "config field {}: bad value {}", key, v.dump());
      parse_into(v.get<std::string>(), field);
    } else {
      try {
        v.get_to(field);
      } catch (const nlohmann::json::exception&) {
        fail(ErrorKind::Usage, fmt::format("config field {}: bad value {}", key, v.dump()));
      }
    }
  });
  return c;
}

namespace {

bool power_of_two(int v) { return v > 0 && (v & (v - 1)) == 0; }

void validate_progan(const TrainConfig& c) {
  GANKIT_CHECK_USAGE(power_of_two(c.resolution) && c.resolution >= 8 && c.resolution <= 1024,
                     GANKIT_SETTING("resolution") " {}: progan grows from 4x4 by doubling to a power of two in 8..1024",
                     c.resolution);
  GANKIT_CHECK_USAGE(c.loss == GanLoss::WganGp || c.loss == GanLoss::Lsgan,
                     GANKIT_SETTING("loss") " {}: progan trains with wgan-gp (the paper's) or lsgan",
                     to_string(c.loss));
  GANKIT_CHECK_USAGE(
      c.fmap_base >= 1 && c.fmap_max >= 1 && c.fmap_max <= 4096,
      GANKIT_SETTING("fmap_base") " {} / " GANKIT_SETTING("fmap_max") " {}: must be positive (fmap-max at most 4096)",
      c.fmap_base, c.fmap_max);
  GANKIT_CHECK_USAGE(
      c.fade_kimg >= 0 && c.stable_kimg > 0 && std::isfinite(c.fade_kimg) && std::isfinite(c.stable_kimg),
      GANKIT_SETTING("fade_kimg") " {} must not be negative and " GANKIT_SETTING("stable_kimg") " {} must be positive",
      c.fade_kimg, c.stable_kimg);
  GANKIT_CHECK_USAGE(c.drift >= 0, GANKIT_SETTING("drift") " {} must not be negative", c.drift);
  GANKIT_CHECK_USAGE(c.g_ema >= 0 && c.g_ema < 1, GANKIT_SETTING("g_ema") " {} must be in [0, 1)", c.g_ema);
  GANKIT_CHECK_USAGE(c.n_critic == 1 && !c.critic_warmup && c.clip == 0,
                     "progan makes one critic step per generator step without clipping (" GANKIT_SETTING(
                         "n_critic") " {}, " GANKIT_SETTING("clip") " {})",
                     c.n_critic, c.clip);
  GANKIT_CHECK_USAGE(c.d_norm == NormKind::None,
                     "progan has no normalisation layers in D: " GANKIT_SETTING("d_norm") " {} does not apply",
                     to_string(c.d_norm));
  GANKIT_CHECK_USAGE(
      c.batch >= 4 && c.batch % 4 == 0,
      GANKIT_SETTING("batch") " {}: progan's minibatch-stddev layer needs a multiple of its group size 4", c.batch);
  GANKIT_CHECK_USAGE(c.steps == 0 && c.epochs == 0,
                     "progan runs are measured in real images: use " GANKIT_SETTING(
                         "kimg") " instead of " GANKIT_SETTING("steps") "/" GANKIT_SETTING("epochs"));
  GANKIT_CHECK_USAGE(c.kimg > 0 && std::isfinite(c.kimg),
                     "give " GANKIT_SETTING("kimg") " K (thousands of real images) for a progan run");
}

void validate_dcgan(const TrainConfig& c) {
  GANKIT_CHECK_USAGE(c.resolution == 32 || c.resolution == 64 || c.resolution == 128,
                     GANKIT_SETTING("resolution") " {}: the {} architecture supports 32, 64 and 128", c.resolution,
                     to_string(c.arch));
  GANKIT_CHECK_USAGE(c.ngf >= 1 && c.ngf <= 1024, GANKIT_SETTING("ngf") " {} must be in 1..1024", c.ngf);
  GANKIT_CHECK_USAGE(c.ndf >= 1 && c.ndf <= 1024, GANKIT_SETTING("ndf") " {} must be in 1..1024", c.ndf);
  GANKIT_CHECK_USAGE(c.n_critic >= 1 && c.n_critic <= 1000, GANKIT_SETTING("n_critic") " {} must be in 1..1000",
                     c.n_critic);
  GANKIT_CHECK_USAGE(c.clip >= 0, GANKIT_SETTING("clip") " {} must not be negative", c.clip);
  GANKIT_CHECK_USAGE(c.kimg == 0, GANKIT_SETTING("kimg") " is the length of progan runs: give " GANKIT_SETTING(
                                      "steps") " or " GANKIT_SETTING("epochs"));
  GANKIT_CHECK_USAGE(c.steps > 0 || c.epochs > 0,
                     "give " GANKIT_SETTING("steps") " N or " GANKIT_SETTING("epochs") " E (a positive length)");
  GANKIT_CHECK_USAGE(c.steps >= 0 && c.epochs >= 0,
                     GANKIT_SETTING("steps") " {} / " GANKIT_SETTING("epochs") " {} must not be negative", c.steps,
                     c.epochs);
  // The penalty is a per-sample gradient norm; BatchNorm mixes the samples of a batch and makes
  // it meaningless (the WGAN-GP paper drops BatchNorm in the critic for this reason).
  GANKIT_CHECK_USAGE(!(c.gp_lambda > 0 && c.d_norm == NormKind::Batch),
                     GANKIT_SETTING("d_norm") " batch cannot be used with a gradient penalty (" GANKIT_SETTING(
                         "gp_lambda") " {}): use layer or none",
                     c.gp_lambda);
  GANKIT_CHECK_USAGE(c.arch != GanArch::DcganSelu || c.d_norm == NormKind::None,
                     GANKIT_SETTING("arch") " dcgan-selu has no normalisation layers: " GANKIT_SETTING(
                         "d_norm") " {} does not apply (use none)",
                     to_string(c.d_norm));
  GANKIT_CHECK_USAGE(c.drift == 0,
                     GANKIT_SETTING("drift") " is progan's critic penalty (" GANKIT_SETTING("arch") " progan)");
}

}  // namespace

void validate(const TrainConfig& c) {
  GANKIT_CHECK_USAGE(c.channels == 1 || c.channels == 3, "{}: {} channels (expected 1 or 3)", c.data, c.channels);
  GANKIT_CHECK_USAGE(c.z_dim >= 1 && c.z_dim <= 4096, GANKIT_SETTING("z_dim") " {} must be in 1..4096", c.z_dim);
  GANKIT_CHECK_USAGE(c.lr_g > 0 && std::isfinite(c.lr_g), GANKIT_SETTING("lr_g") " {} must be positive", c.lr_g);
  GANKIT_CHECK_USAGE(c.lr_d > 0 && std::isfinite(c.lr_d), GANKIT_SETTING("lr_d") " {} must be positive", c.lr_d);
  GANKIT_CHECK_USAGE(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1,
                     GANKIT_SETTING("betas") " {},{}: each must be in [0, 1)", c.beta1, c.beta2);
  GANKIT_CHECK_USAGE(c.batch >= 2, GANKIT_SETTING("batch") " {} must be at least 2", c.batch);
  GANKIT_CHECK_USAGE(c.gp_lambda >= 0, GANKIT_SETTING("gp_lambda") " {} must not be negative", c.gp_lambda);
  GANKIT_CHECK_USAGE(
      c.data_cache_mb >= 0 && c.data_cache_mb <= (int64_t{1} << 40),
      GANKIT_SETTING("data_cache_mb") " {} must be positive (at most 2^40; 0 in a config: half of the memory)",
      c.data_cache_mb);
  GANKIT_CHECK_USAGE(c.threads >= 0, GANKIT_SETTING("threads") " {} must not be negative", c.threads);
  GANKIT_CHECK_USAGE(
      c.log_every >= 1 && c.sample_every >= 0 && c.checkpoint_every >= 0 && c.keep_every >= 0,
      GANKIT_SETTING("log_every") " must be positive and " GANKIT_SETTING("sample_every") "/" GANKIT_SETTING(
          "checkpoint_every") "/" GANKIT_SETTING("keep_every") " not negative");
  if (c.arch == GanArch::Progan)
    validate_progan(c);
  else
    validate_dcgan(c);
}

const std::vector<std::string>& training_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> names;
    TrainConfig c;
    visit_fields(c, [&](const char* key, const auto&, bool training) {
      if (training) names.emplace_back(key);
    });
    return names;
  }();
  return fields;
}

const std::vector<std::string>& config_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> names;
    TrainConfig c;
    visit_fields(c, [&](const char* key, const auto&, bool) { names.emplace_back(key); });
    return names;
  }();
  return fields;
}

std::string first_training_difference(const nlohmann::json& run, const nlohmann::json& now) {
  for (const auto& f : training_fields()) {
    const auto a = run.contains(f) ? run.at(f) : nlohmann::json();
    const auto b = now.contains(f) ? now.at(f) : nlohmann::json();
    if (a != b) return fmt::format("{}: {} in the run, {} now", f, a.dump(), b.dump());
  }
  return {};
}

int critic_steps(const TrainConfig& c, int64_t step) {
  // The WGAN reference code trains the critic to optimality early on and periodically after.
  if (c.critic_warmup && (step < 25 || step % 500 == 0)) return 100;
  return c.n_critic;
}

}  // namespace gankit
