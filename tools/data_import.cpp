// gan-data import SOURCE OUT.h5
#include <fmt/format.h>

#include "cli.h"
#include "error.h"
#include "gan_data_commands.h"
#include "import.h"
#include "report.h"

namespace gankit::cli {

int data_import(const std::string& prog, const std::vector<std::string>& args) {
  ImportOptions opt;
  CommonFlags common;
  std::string source, out, compression = "gzip:4";
  po::options_description desc("Options");
  desc.add_options()("source", po::value(&source)->required(), "input: folder, file or database")(
      "out", po::value(&out)->required(), "output HDF5 file")("format", defaulted(&opt.source.format),
                                                              "auto|folder|cifar10|svhn|idx|lsun|celeba")(
      "split", po::value(&opt.source.split),
      "train|test|all (celeba: also val; svhn: also extra). Default: train (cifar10, svhn, idx), all (celeba)")(
      "resolution", defaulted(&opt.resolution),
      "output size R (power of two); images of another size are resized. Default: the first image's size")(
      "resize-filter", defaulted(&opt.resize_filter), "area|lanczos|bicubic")(
      "center-crop", po::bool_switch(&opt.center_crop), "crop non-square images to their central square")(
      "limit", defaulted(&opt.limit), "import at most N images")("recursive", po::bool_switch(&opt.source.recursive),
                                                                 "image folders: include subfolders")(
      "skip-bad", po::bool_switch(&opt.skip_bad),
      "skip unreadable images (each is named on stderr) instead of failing")(
      "compression", po::value(&compression)->default_value("gzip:4"), "none|gzip|gzip:N (N = 1..9)")(
      "overwrite", po::bool_switch(&opt.overwrite), "replace OUT.h5 if it exists");
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("source", 1).add("out", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} SOURCE OUT.h5 [options]\n\n"
      "Imports a dataset into an HDF5 multi-resolution pyramid (data<R>x<R> ... data1x1, uint8 NCHW).\n"
      "SOURCE: an image folder; CIFAR-10 binary batches (folder or .bin); SVHN .mat (folder or file);\n"
      "MNIST/Fashion-MNIST IDX (folder or images file, raw or .gz; 28x28 is zero-padded to 32x32);\n"
      "an LSUN lmdb (folder with data.mdb); CelebA (folder with img_align_celeba/, cropped to 128x128).\n"
      "Non-square images need --center-crop; mixed sizes need --resolution. OUT.h5 appears only when complete.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  opt.compression = Compression::parse(compression);
  opt.progress = common.progress_options();
  ImportSummary s = import_dataset(source, out, opt);

  const double rate = s.seconds > 0 ? s.count / s.seconds : 0.0;
  Summary()
      .add("output", out)
      .also("source", s.source)
      .add("format", s.format)
      .add("images", s.count)
      .add("skipped", s.skipped)
      .add("resolution", s.resolution, fmt::format("{} (levels {} .. 1)", s.resolution, s.resolution))
      .add("channels", s.channels)
      .add("labels", s.has_labels, s.has_labels ? fmt::format("{} classes", s.class_names.size()) : "none")
      .add("seconds", s.seconds, fmt::format("{:.2f} s ({:.0f} images/s)", s.seconds, rate), "time")
      .also("images_per_second", rate)
      .emit(common.json);
  return 0;
}

}  // namespace gankit::cli
