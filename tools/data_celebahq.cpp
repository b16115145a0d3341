// gan-data celebahq IMG_DIR LANDMARKS OUT.h5
#include <fmt/format.h>

#include "celebahq.h"
#include "cli.h"
#include "error.h"
#include "gan_data_commands.h"
#include "report.h"

namespace gankit::cli {

int data_celebahq(const std::string& prog, const std::vector<std::string>& args) {
  CelebahqOptions opt;
  CommonFlags common;
  std::string images, landmarks, out;
  po::options_description desc("Options");
  desc.add_options()("images", po::value(&images)->required(), "folder of the photos named in LANDMARKS")(
      "landmarks", po::value(&landmarks)->required(), "CelebA list_landmarks_*.txt or a CSV of NAME + 10 numbers")(
      "out", po::value(&out)->required(), "output HDF5 pyramid")(
      "size", defaulted(&opt.size), "output size S (a power of two; the paper: 1024)")("limit", defaulted(&opt.limit),
                                                                                       "align only the first N rows")(
      "skip-bad", po::bool_switch(&opt.skip_bad),
      "skip (and name) missing or unreadable photos and landmarks outside their photo instead of stopping")(
      "resume", po::bool_switch(&opt.resume), "continue an interrupted run from OUT.h5.partial")(
      "overwrite", po::bool_switch(&opt.overwrite), "replace OUT.h5 (and an interrupted OUT.h5.partial) if they exist");
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("images", 1).add("landmarks", 1).add("out", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} IMG_DIR LANDMARKS OUT.h5 [options]\n\n"
      "CelebA-HQ-style alignment (Karras et al. 2018): an oriented square from the eyes and mouth, the photo\n"
      "shrunk, cropped, padded with a blurred reflection where the square leaves it, and warped to S x S;\n"
      "every face streams into an HDF5 pyramid (S down to 1x1), checkpointed as OUT.h5.partial so that\n"
      "--resume continues an interrupted run. In-the-wild CelebA: img_celeba/ with\n"
      "list_landmarks_celeba.txt. The official release's super-resolution network is not reproduced.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  opt.progress = common.progress_options();
  const CelebahqSummary s = build_celebahq(images, landmarks, out, opt);
  const double rate = s.seconds > 0 ? s.written / s.seconds : 0.0;
  Summary()
      .add("output", out)
      .add("images", s.written, fmt::format("{} of {} rows ({} skipped)", s.written, s.rows, s.skipped))
      .also("rows", s.rows)
      .also("skipped", s.skipped)
      .also("resumed_at_row", s.resumed_at)
      .add("resolution", opt.size, fmt::format("{} (levels {} .. 1)", opt.size, opt.size))
      .add("seconds", s.seconds, fmt::format("{:.2f} s ({:.1f} images/s)", s.seconds, rate), "time")
      .also("images_per_second", rate)
      .emit(common.json);
  return 0;
}

}  // namespace gankit::cli
