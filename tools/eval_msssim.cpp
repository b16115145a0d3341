// gan-eval msssim A [B]
#include <fmt/format.h>

#include "cli.h"
#include "error.h"
#include "gan_eval_commands.h"
#include "image_set.h"
#include "msssim.h"
#include "report.h"

namespace gankit::cli {

int eval_msssim(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  std::string a_path, b_path;
  int64_t num_pairs = -1;
  uint64_t seed = 1;
  int resolution = 0;
  bool shuffle = false, recursive = false;
  po::options_description desc("Options");
  desc.add_options()("a", po::value(&a_path)->required(), "images: folder, .npy/.npz or .h5")(
      "b", po::value(&b_path), "second set: score pairs (A[i], B[i]); without it, pairs within A")(
      "num-pairs", po::value(&num_pairs)->default_value(-1),
      "pairs to score (default: all; ProGAN's diversity figure uses 10000 pairs of 20000 images)")(
      "shuffle", po::bool_switch(&shuffle), "within one set: pair the images of a seeded random permutation")(
      "seed", po::value(&seed)->default_value(1), "seed of --shuffle")(
      "resolution", po::value(&resolution)->default_value(0), "HDF5 level to read / size the images must have")(
      "recursive", po::bool_switch(&recursive), "image folders: include subfolders");
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("a", 1).add("b", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} A [B] [options]\n\n"
      "MS-SSIM as the official Progressive GAN code defines it (5 scales, Gaussian window min(11, size),\n"
      "weights 0.0448 0.2856 0.3001 0.2363 0.1333). With B: the mean over aligned pairs (A[i], B[i]). With A\n"
      "alone: the ProGAN diversity figure, the mean over pairs (0,1), (2,3), ... of A (lower = more diverse).\n"
      "Any size from 16x16 up; an odd size at any scale is cropped to even (the official code crashes).",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(num_pairs == -1 || num_pairs > 0, "--num-pairs {} must be positive", num_pairs);
  ImageSetOptions load;
  load.resolution = resolution;
  load.recursive = recursive;
  load.rgb = false;  // grayscale stays one channel: MS-SSIM averages over channels
  load.progress = common.progress_options();
  const ImageBatch a = load_image_set(a_path, load);
  MsssimResult r;
  if (!b_path.empty()) {
    GANKIT_CHECK_USAGE(!shuffle, "--shuffle applies to one set (A alone), not to aligned pairs");
    const ImageBatch b = load_image_set(b_path, load);
    GANKIT_CHECK_DATA(a.h == b.h && a.w == b.w && a.c == b.c, "{} holds {}x{}x{} images but {} holds {}x{}x{}", a_path,
                      a.c, a.w, a.h, b_path, b.c, b.w, b.h);
    if (num_pairs < 0) {
      GANKIT_CHECK_DATA(a.n == b.n, "{} has {} images but {} has {}: pass --num-pairs N to score the first N pairs",
                        a_path, a.n, b_path, b.n);
      num_pairs = a.n;
    }
    GANKIT_CHECK_DATA(num_pairs <= a.n && num_pairs <= b.n, "--num-pairs {} but {} has {} and {} has {} images",
                      num_pairs, a_path, a.n, b_path, b.n);
    r = msssim_aligned(a, b, num_pairs, common.progress_options());
  } else {
    if (num_pairs < 0) num_pairs = a.n / 2;
    GANKIT_CHECK_DATA(num_pairs >= 1 && 2 * num_pairs <= a.n, "{} has {} images: {} pairs need {}", a_path, a.n,
                      num_pairs, 2 * num_pairs);
    r = msssim_diversity(a, num_pairs, shuffle, seed, common.progress_options());
  }
  if (r.cropped && !common.quiet)
    std::fprintf(stderr, "note: odd image sizes were cropped to even before 2x2 averaging\n");
  nlohmann::json j = {{"metric", "msssim"}, {"pairs", r.pairs}, {"msssim", r.mean}};
  Table t({"pairs", "mode", "MS-SSIM"});
  t.add_row({std::to_string(r.pairs),
             b_path.empty() ? (shuffle ? "within A, shuffled" : "within A, (0,1) (2,3) ...") : "aligned A[i] vs B[i]",
             fmt::format("{:.7f}", r.mean)});
  emit(j, t, common.json);
  return 0;
}

}  // namespace gankit::cli
