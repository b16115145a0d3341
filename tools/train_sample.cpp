// gan-train sample RUN_DIR|CKPT --num N --out DIR|OUT.npy|OUT.h5
#include <fmt/format.h>

#include "cli.h"
#include "device.h"
#include "error.h"
#include "gan_train_commands.h"
#include "generate.h"
#include "hdf5_store.h"
#include "image_sink.h"
#include "report.h"

namespace gankit::cli {

int train_sample(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  std::string run, out, device;
  int64_t num = 0;
  uint64_t seed = 1;
  int batch = 256, threads = 0, resolution = 0;
  bool overwrite = false;
  po::options_description desc("Options");
  desc.add_options()("run", po::value(&run)->required(), "run folder (its checkpoints/latest.pt) or a checkpoint .pt")(
      "num", po::value(&num)->required(), "images to generate")(
      "out", po::value(&out)->required(), "OUT.h5 (HDF5 pyramid), OUT.npy (NHWC uint8) or a folder of PNGs")(
      "seed", po::value(&seed)->default_value(1), "seed of the latents (image i is the same for any --num/--batch)")(
      "batch", po::value(&batch)->default_value(256),
      "images per forward pass (memory; a pixel may move by one grey level through float rounding)")(

      "resolution", po::value(&resolution)->default_value(0),
      "progan: sample an earlier level the run grew through (default: the level it has reached)")(
      "overwrite", po::bool_switch(&overwrite), "replace --out if it exists");
  add_compute_options(desc, &device, &threads, "where the generator runs");
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("run", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} RUN_DIR|CHECKPOINT --num N --out OUT [options]\n\n"
      "Generates N images with the generator of a checkpoint (eval mode) for gan-eval swd / msssim.\n"
      "ProGAN checkpoints sample with the moving-average generator at the resolution the run has reached.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(num > 0, "--num {} must be positive", num);
  GANKIT_CHECK_USAGE(batch > 0, "--batch {} must be positive", batch);
  const c10::Device dev = torch_device(device);
  set_torch_threads(threads);
  const auto ckpt = resolve_checkpoint(run);
  LoadedGenerator gen = load_generator(ckpt, dev, resolution);
  const TrainConfig& c = gen.config;
  const int res = gen.resolution();
  ImageSinkOptions sink_options;
  sink_options.overwrite = overwrite;
  sink_options.attributes = {
      {"source", ckpt.string()},      {"importer", "gan-train sample"},         {"tool_version", tool_version()},
      {"seed", std::to_string(seed)}, {"step", std::to_string(gen.state.step)}, {"loss", to_string(c.loss)},
      {"arch", to_string(c.arch)}};
  if (gen.g_ema)
    sink_options.attributes["kimg"] = fmt::format("{:.1f}", static_cast<double>(gen.state.images) / 1000.0);
  auto sink = open_image_sink(out, num, c.channels, res, sink_options);
  Progress progress("sample", num, common.progress_options());
  for (int64_t first = 0; first < num; first += batch) {
    const int64_t n = std::min<int64_t>(batch, num - first);
    sink->append(generate_images(gen, first, n, seed, dev));
    progress.add(n);
  }
  progress.finish();
  sink->commit();
  Summary r;
  r.add("output", out)
      .add("images", num)
      .row("size", fmt::format("{} x {}x{}", c.channels, res, res))
      .also("resolution", res)
      .also("channels", c.channels)
      .add("checkpoint", ckpt.string(), fmt::format("{} (step {})", ckpt.string(), gen.state.step))
      .also("step", gen.state.step)
      .add("seed", seed);
  if (gen.g_ema) r.also("kimg", static_cast<double>(gen.state.images) / 1000.0);
  r.emit(common.json);
  return 0;
}

}  // namespace gankit::cli
