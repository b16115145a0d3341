// gan-train interpolate RUN_DIR|CKPT --out GRID.png
#include <fmt/format.h>

#include "cli.h"
#include "device.h"
#include "error.h"
#include "gan_train_commands.h"
#include "generate.h"
#include "image_grid.h"
#include "image_io.h"
#include "report.h"

namespace gankit::cli {

int train_interpolate(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  std::string run, out, device;
  int rows = 8, cols = 10, threads = 0;
  uint64_t seed = 1;
  po::options_description desc("Options");
  desc.add_options()("run", po::value(&run)->required(), "run folder (its checkpoints/latest.pt) or a checkpoint .pt")(
      "out", po::value(&out)->required(), "output image (.png)")("rows", po::value(&rows)->default_value(8),
                                                                 "interpolations (one per row)")(
      "cols", po::value(&cols)->default_value(10), "steps per interpolation, end points included")(
      "seed", po::value(&seed)->default_value(1), "seed of the end points");
  add_compute_options(desc, &device, &threads, "where the generator runs");
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("run", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} RUN_DIR|CHECKPOINT --out GRID.png [options]\n\n"
      "Walks the latent space between random pairs of points (spherical interpolation) and tiles the\n"
      "generated images, one walk per row: smooth transitions show that G did not memorise (DCGAN, sec. 6.1).",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(rows >= 1 && rows <= 64 && cols >= 2 && cols <= 64,
                     "--rows {} / --cols {}: rows 1..64, cols 2..64", rows, cols);
  const c10::Device dev = torch_device(device);
  set_torch_threads(threads);
  const auto ckpt = resolve_checkpoint(run);
  LoadedGenerator gen = load_generator(ckpt, dev);
  write_image(out, tile_images(interpolation_grid(gen, rows, cols, seed, dev), cols));
  Summary()
      .add("output", out)
      .row("grid", fmt::format("{} rows x {} steps", rows, cols))
      .also("rows", rows)
      .also("cols", cols)
      .add("checkpoint", ckpt.string(), fmt::format("{} (step {})", ckpt.string(), gen.state.step))
      .also("step", gen.state.step)
      .emit(common.json);
  return 0;
}

}  // namespace gankit::cli
