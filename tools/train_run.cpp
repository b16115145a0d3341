// gan-train train --data DATA.h5 --out RUN_DIR [options]
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "cli.h"
#include "compare.h"
#include "data_parallel.h"
#include "device.h"
#include "error.h"
#include "gan_models.h"
#include "gan_train_commands.h"
#include "hdf5_store.h"
#include "launch.h"
#include "report.h"
#include "trainer.h"

namespace gankit::cli {

namespace fs = std::filesystem;

namespace {

// An option's value as JSON (the option types gan-train declares).
nlohmann::json option_json(const boost::any& v, const std::string& flag) {
  if (const auto* i = boost::any_cast<int>(&v)) return *i;
  if (const auto* l = boost::any_cast<int64_t>(&v)) return *l;
  if (const auto* u = boost::any_cast<uint64_t>(&v)) return *u;
  if (const auto* d = boost::any_cast<double>(&v)) return *d;
  if (const auto* s = boost::any_cast<std::string>(&v)) return *s;
  fail(ErrorKind::Internal, fmt::format("--{}: an option type the config table does not know", flag));
}

// What train_gan() would refuse for a new run, checked before ranks are started (the data's
// channels come from the file).
void validate_for_launch(TrainConfig config) {
  config.channels = PyramidReader(config.data).channels();
  validate(config);
}

// Every flag of `gan-train train`; those that are not config fields land in this struct.
struct TrainFlags {
  CommonFlags common;
  std::string out, eval_real;
  bool resume = false, overwrite = false, allow_data_change = false;
  int64_t eval_every = 0, eval_num = 2048;
  int nproc = 1, dist_timeout = 1800;
};

po::options_description train_options(TrainFlags& f) {
  po::options_description data_opts("Data and run"), model_opts("Model"), optim_opts("Optimisation"),
      run_opts("Length, output and device"), eval_opts("Measuring while training (gan-eval compare reads the results)");
  data_opts.add_options()("data", po::value<std::string>(), "HDF5 pyramid made by gan-data (required for a new run)")(
      "out", po::value(&f.out)->required(), "run folder (config.json, log.jsonl, samples/, checkpoints/)")(
      "resolution", po::value<int>()->default_value(32),
      "training resolution: 32, 64 or 128 (a level of --data); progan: the final one, a power of two 8..1024")(
      "resume", po::bool_switch(&f.resume), "continue the run in --out from checkpoints/latest.pt")(
      "overwrite", po::bool_switch(&f.overwrite), "start over in a --out that holds a run (removes its files)")(
      "allow-data-change", po::bool_switch(&f.allow_data_change),
      "--resume on --data whose images differ from the run's (refused otherwise; recorded in config.json)")(
      "data-in-memory", po::value<std::string>()->default_value("auto"),
      "on: hold the training level in memory; off: stream it from the file (a shuffle window, read ahead on "
      "a thread); auto: in memory when it fits in --data-cache-mb")(
      "data-cache-mb", po::value<int64_t>(),
      "memory the training data may take, in MB (default: half of this machine's memory); streamed, it holds "
      "two shuffle windows");
  model_opts.add_options()("loss", po::value<std::string>()->default_value("gan"), "gan | wgan | wgan-gp | lsgan")(
      "arch", po::value<std::string>()->default_value("dcgan"),
      "dcgan (BatchNorm) | dcgan-selu (SELU, no normalisation) | progan (progressive growing)")(
      "z-dim", po::value<int>(), "latent size (default 100; 512 for progan)")(
      "ngf", po::value<int>()->default_value(64), "generator width (maps of the last hidden layer)")(
      "ndf", po::value<int>()->default_value(64), "discriminator width (maps of the first layer)")(
      "d-norm", po::value<std::string>(),
      "critic normalisation: batch | layer | none (default: batch; layer for wgan-gp; none for dcgan-selu)")(
      "fmap-base", po::value<int>(), "progan: feature maps min(fmap-base / 2^stage, fmap-max) (default 8192)")(
      "fmap-max", po::value<int>(), "progan: at most this many feature maps per layer (default 512)")(
      "fade-kimg", po::value<double>(), "progan: thousands of real images to fade in each new level (default 600)")(
      "stable-kimg", po::value<double>(), "progan: thousands of real images to stabilise each level (default 600)")(
      "drift", po::value<double>(), "progan: drift penalty on the critic's real outputs (default 0.001 with wgan-gp)")(
      "g-ema", po::value<double>(), "progan: decay of the generator's moving average used for samples (default 0.999)");
  optim_opts.add_options()("optimizer", po::value<std::string>(),
                           "adam | rmsprop (default per loss: rmsprop for wgan, adam otherwise)")(
      "lr", po::value<double>(), "both learning rates")("lr-g", po::value<double>(), "generator learning rate")(
      "lr-d", po::value<double>(), "discriminator learning rate")("betas", po::value<std::string>(),
                                                                  "Adam betas as B1,B2")(
      "batch", po::value<int>(),
      "minibatch size (default per loss: 128 gan, 64 otherwise; progan 16, capped at 8 for 256 and 4 above)")(
      "n-critic", po::value<int>(), "critic steps per generator step (default: 5 for wgan/wgan-gp, else 1)")(
      "critic-warmup", po::value<std::string>(),
      "on | off: 100 critic steps for the first 25 G steps and every 500th (default on for wgan)")(
      "clip", po::value<double>(), "WGAN weight clipping bound (default 0.01 for wgan, else off)")(
      "gp-lambda", po::value<double>(), "gradient penalty weight (default 10 for wgan-gp, else off)")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of every random draw (init, data order, z)");
  run_opts.add_options()("nproc", po::value(&f.nproc)->default_value(1),
                         "data-parallel ranks on this machine (c10d, Gloo over 127.0.0.1): --batch is the global "
                         "minibatch; each rank gets --threads of its own. Several machines: a launcher such as "
                         "torchrun sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT instead")(
      "dist-timeout", po::value(&f.dist_timeout)->default_value(1800),
      "seconds a rank waits for the others (rendezvous, every gradient exchange) before it gives up")(
      "steps", po::value<int64_t>(), "generator steps to reach")("epochs", po::value<double>(),
                                                                 "passes of the critic over the data to reach")(
      "kimg", po::value<double>(), "progan: thousands of real images to reach (the run's length)")(
      "log-every", po::value<int64_t>()->default_value(50), "steps between log.jsonl records")(
      "sample-every", po::value<int64_t>()->default_value(500), "steps between sample grids (0: only at the end)")(
      "checkpoint-every", po::value<int64_t>()->default_value(500),
      "steps between checkpoints/latest.pt updates (0: only at the end)")(
      "keep-every", po::value<int64_t>()->default_value(5000), "steps between kept checkpoints step_N.pt (0: none)");
  eval_opts.add_options()("eval-every", po::value(&f.eval_every)->default_value(0),
                          "every N generator steps (and at step 0), keep checkpoints/step_N.pt and measure it: SWD "
                          "and MS-SSIM of --eval-num samples against --eval-real, appended to RUN/metrics.jsonl")(
      "eval-real", po::value(&f.eval_real), "the real images for --eval-every (an HDF5 pyramid)")(
      "eval-num", po::value(&f.eval_num)->default_value(2048),
      "images per measurement (seed 1: what 'gan-eval compare --num-images N --repeats 1' measures)");
  add_compute_options(run_opts, nullptr, nullptr, "where training runs (under a launcher, cuda is cuda:LOCAL_RANK)");
  po::options_description desc;
  desc.add(data_opts).add(model_opts).add(optim_opts).add(run_opts).add(eval_opts);
  add_common(desc, f.common, true);
  return desc;
}

// The settings the user gave, as config fields.
nlohmann::json given_settings(const po::variables_map& vm) {
  // Options named after config fields (--lr-g is lr_g) go into `given` when the user gave them;
  // the options that are not one field each (--data, --lr, --betas, --critic-warmup) follow.
  nlohmann::json given = nlohmann::json::object();
  for (const std::string& field : config_fields()) {
    std::string flag = field;
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (vm.count(flag) && !vm[flag].defaulted()) given[field] = option_json(vm[flag].value(), flag);
  }
  if (vm.count("data"))  // absolute: a resume from another folder finds the same file
    given["data"] = fs::absolute(vm["data"].as<std::string>()).lexically_normal().string();
  for (const char* lr : {"lr_g", "lr_d"})
    if (vm.count("lr") && !given.contains(lr)) given[lr] = vm["lr"].as<double>();
  if (given.contains("data_cache_mb"))  // 0 in a config means "half the memory"; not on the command line
    GANKIT_CHECK_USAGE(given["data_cache_mb"].get<int64_t>() > 0, "--data-cache-mb {} must be positive",
                       given["data_cache_mb"].get<int64_t>());
  if (vm.count("betas")) {
    const std::string b = vm["betas"].as<std::string>();
    const std::vector<double> betas = parse_number_list(b, "--betas");
    GANKIT_CHECK_USAGE(betas.size() == 2, "--betas '{}': expected B1,B2 (e.g. 0.5,0.999)", b);
    given["beta1"] = betas[0];
    given["beta2"] = betas[1];
  }
  if (vm.count("critic-warmup")) {
    const std::string w = vm["critic-warmup"].as<std::string>();
    GANKIT_CHECK_USAGE(w == "on" || w == "off", "--critic-warmup '{}': expected on or off", w);
    given["critic_warmup"] = w == "on";
  }
  GANKIT_CHECK_USAGE(!(given.contains("steps") && given.contains("epochs")),
                     "--steps and --epochs both given: the run's length is one of them");
  // The length given on resume replaces the run's.
  if (given.contains("steps") && !given.contains("epochs")) given["epochs"] = 0.0;
  if (given.contains("epochs") && !given.contains("steps")) given["steps"] = 0;

  return given;
}

// The config to train: the run's own for a resume (`resumed`: its checkpoint's metadata; options
// given now must agree on the training fields, train_gan names the first that differs), else the
// defaults of the architecture and loss.
TrainConfig resolve_config(const nlohmann::json& given, const std::optional<CheckpointMeta>& resumed) {
  TrainConfig base;
  if (resumed) {
    base = from_json(resumed->config);
  } else {
    GANKIT_CHECK_USAGE(given.contains("data"), "--data DATA.h5 is required for a new run");
    const GanArch arch = parse_arch(given.value("arch", std::string("dcgan")));
    base =
        defaults_for(arch, parse_loss(given.value("loss", std::string(arch == GanArch::Progan ? "wgan-gp" : "gan"))));
  }
  TrainConfig config = from_json(given, base);
  GANKIT_CHECK_USAGE(config.arch != GanArch::Progan || (!given.contains("ngf") && !given.contains("ndf")),
                     "--ngf/--ndf size DCGAN networks: progan's widths are set by --fmap-base and --fmap-max");
  return config;
}

// --eval-every: checked now, not after the first eval_every steps; the measurement is
// gan-eval compare's.
void add_eval_hook(TrainOptions& options, const TrainFlags& f, const TrainConfig& config) {
  const int64_t eval_every = f.eval_every, eval_num = f.eval_num;
  const std::string eval_real = f.eval_real;
  if (eval_every == 0 && eval_real.empty()) return;
  GANKIT_CHECK_USAGE(eval_every > 0, "--eval-every {} must be positive (with --eval-real)", eval_every);
  GANKIT_CHECK_USAGE(!eval_real.empty(), "--eval-every needs --eval-real REAL.h5 (the images to measure against)");
  GANKIT_CHECK_USAGE(eval_num >= 2, "--eval-num {} must be at least 2", eval_num);
  const PyramidReader real(eval_real);  // fail now, not after the first eval_every steps
  GANKIT_CHECK_DATA(real.count() >= eval_num, "--eval-real {} holds {} images, fewer than --eval-num {}", eval_real,
                    real.count(), eval_num);
  options.eval_every = eval_every;
  options.on_eval = [eval_real, eval_num, device = config.device, threads = config.threads,
                     quiet = f.common.quiet](const fs::path& checkpoint) {
    CompareOptions c;
    c.real = eval_real;
    c.runs = {checkpoint};
    c.num_images = eval_num;
    c.repeats = 1;
    c.device = device;
    c.threads = threads;
    c.cache_dir = default_compare_cache_dir();
    c.progress = {true, false};
    const Comparison result = compare_runs(c);
    if (quiet) return;
    const CheckpointScore& cs = result.runs.at(0).checkpoints.at(0);
    std::string line = fmt::format("eval {}: step {}", checkpoint.filename().string(), cs.step);
    for (const auto& [k, e] : cs.values)
      if (k == "swd_avg" || k == "msssim") line += fmt::format(", {} {:.4g}", k, e.mean);
    print_note(line);
  };
}

void report(const TrainSummary& s, const std::string& out, bool json) {
  Summary r;
  r.add("run", out)
      .row("steps", fmt::format("{} -> {}", s.start_step, s.state.step))
      .also("start_step", s.start_step)
      .also("step", s.state.step)
      .add("epochs", s.epochs, fmt::format("{:.2f}", s.epochs));
  if (s.last_log.contains("resolution"))
    r.row("progan", fmt::format("{:.1f} kimg, {}x{}, alpha {:.3f}", s.last_log["kimg"].get<double>(),
                                s.last_log["resolution"].get<int>(), s.last_log["resolution"].get<int>(),
                                s.last_log["alpha"].get<double>()));
  r.add("seconds", s.state.seconds, fmt::format("{:.1f} s", s.state.seconds), "training time")
      .add("images_per_s", s.images_per_s, fmt::format("{:.1f}", s.images_per_s), "real images/s");
  for (const char* key : {"loss_d", "loss_g", "wdist", "gp", "drift"})
    if (s.last_log.contains(key)) r.row(key, fmt::format("{:.5f}", s.last_log[key].get<double>()));
  r.also("last", s.last_log).add("checkpoint", s.checkpoint.string());
  if (!s.samples.empty())
    r.add("samples", s.samples.string());
  else
    r.also("samples", s.samples.string());
  r.emit(json);
}

}  // namespace

int train_run(const std::string& prog, const std::vector<std::string>& args) {
  TrainFlags f;
  po::options_description desc = train_options(f);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} --data DATA.h5 --out RUN_DIR (--steps N | --epochs E) [options]\n"
      "       {} --data DATA.h5 --out RUN_DIR --arch progan --resolution R --kimg K [options]\n"
      "       {} --out RUN_DIR --resume [--steps N | --epochs E | --kimg K]\n\n"
      "Trains a DCGAN-family GAN on one level of an HDF5 pyramid, scaled to [-1, 1], reshuffled every epoch.\n"
      "Defaults per --loss follow the papers' official code: gan = DCGAN (Adam 2e-4, beta1 0.5, batch 128);\n"
      "wgan = RMSprop 5e-5, clip 0.01, 5 critic steps (100 while warming up), batch 64; wgan-gp = Adam 1e-4,\n"
      "betas 0,0.9, lambda 10, 5 critic steps, layer norm in the critic, batch 64; lsgan = least squares\n"
      "(a=0, b=1, c=1), Adam 2e-4, beta1 0.5, batch 64. Every option overrides its default.\n"
      "--arch progan grows G and D from 4x4 to --resolution (Karras et al. 2018): each level fades in over\n"
      "--fade-kimg and stabilises over --stable-kimg, on the pyramid level of its resolution; wgan-gp with\n"
      "drift 0.001 (or lsgan), Adam 1e-3 (0, 0.99) reset every phase, latent 512, samples from G's moving average;\n"
      "checkpoints/phaseNN_RxR_{{fade,stable}}.pt keeps the end of every phase.\n"
      "A resumed run continues exactly (same weights as an uninterrupted run on the same device and threads);\n"
      "only its length, cadences, device and threads may change.",
      prog, prog, prog);
  if (!parse(usage, args, desc, {}, vm)) return 0;
  const nlohmann::json given = given_settings(vm);
  GANKIT_CHECK_USAGE(!(f.resume && f.overwrite), "--resume and --overwrite exclude each other");
  TrainOptions options;
  if (f.resume) options.resume_point = resume_point(f.out);  // read once, here and by train_gan
  TrainConfig config = resolve_config(given, options.resume_point);
  options.resume = f.resume;
  options.overwrite = f.overwrite;
  options.allow_data_change = f.allow_data_change;
  options.progress = f.common.progress_options();
  add_eval_hook(options, f, config);
  // Data-parallel: this process is a rank (the launcher's variables are set), or it launches
  // --nproc ranks of itself on this machine and reports how they ended.
  GANKIT_CHECK_USAGE(f.dist_timeout >= 1, "--dist-timeout {} must be at least 1 second", f.dist_timeout);
  const std::optional<LaunchEnv> launch = launch_env_from_environment();
  if (!launch && f.nproc > 1) {
    if (!f.resume) validate_for_launch(config);
    check_data_parallel(config, f.nproc);  // once here, not once per rank
    std::vector<std::string> rank_args = {"train"};
    rank_args.insert(rank_args.end(), args.begin(), args.end());
    return launch_local_ranks(f.nproc, rank_args);
  }
  GANKIT_CHECK_USAGE(!launch || f.nproc == 1 || f.nproc == launch->world,
                     "--nproc {} but WORLD_SIZE={}: under a launcher, leave --nproc out", f.nproc,
                     launch ? launch->world : 0);
  std::unique_ptr<DataParallel> parallel;
  if (launch && launch->world > 1) {
    // One GPU per local rank: --device cuda means cuda:LOCAL_RANK under a launcher.
    if (config.device == "cuda") config.device = fmt::format("cuda:{}", launch->local_rank);
    parallel =
        std::make_unique<DataParallel>(*launch, std::chrono::seconds(f.dist_timeout), torch_device(config.device));
    options.parallel = parallel.get();
    if (parallel->rank() != 0) options.progress.quiet = true;  // rank 0 speaks for the job
  }
  const TrainSummary s = train_gan(config, f.out, options);
  if (!parallel || parallel->rank() == 0) report(s, f.out, f.common.json);
  return 0;
}

}  // namespace gankit::cli
