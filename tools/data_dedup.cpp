// gan-data dedup train IN AE.pt | gan-data dedup hash IN GROUPS.json
#include <fmt/format.h>

#include <cmath>

#include "cli.h"
#include "dedup.h"
#include "dedup_report.h"
#include "error.h"
#include "gan_data_commands.h"
#include "report.h"

namespace gankit::cli {

namespace {

void add_input_options(po::options_description& desc, DatasetInputOptions& in) {
  desc.add_options()("format", defaulted(&in.format), "input format: auto|h5|folder|lsun|idx|cifar10|svhn|celeba")(
      "split", po::value(&in.split), "importer split (train|test|all, ...); default: the importer's")(
      "recursive", po::bool_switch(&in.recursive), "image folders: include subfolders");
}

std::string join_losses(const std::vector<double>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += fmt::format("{}{:.4f}", i ? " " : "", v[i]);
  return s;
}

const std::string kAutoEpochsHelp =
    fmt::format("passes over the sample (auto: at least 10, and at least {} minibatches)", kMinAutoSteps);

int dedup_train(const std::string& prog, const std::vector<std::string>& args) {
  DedupTrainOptions opt;
  CommonFlags common;
  std::string input, model;
  HashAutoencoderOptions& ae = opt.autoencoder;
  po::options_description desc("Options");
  desc.add_options()("input", po::value(&input)->required(), "dataset: HDF5 pyramid, image folder, lmdb, ...")(
      "model", po::value(&model)->required(), "output model file (.pt)")("samples", defaulted(&opt.samples),
                                                                         "training images, a uniform sample of IN")(
      "epochs", po::value(&ae.epochs)->default_value(0, "auto"), kAutoEpochsHelp.c_str())(
      "batch", defaulted(&ae.batch), "minibatch size (Adam)")("lr", defaulted(&ae.lr), "Adam learning rate")(
      "noise", defaulted(&ae.noise), "corruption: Gaussian pixel noise std (pixel range 0..1)")(
      "brightness", defaulted(&ae.brightness), "corruption: brightness factor 1 +- this")(
      "resample", defaulted(&ae.resample),
      "corruption: half the images resampled down to 32 * [this, 1] pixels and back (blur; 1 = none)")(
      "shift", defaulted(&ae.shift), "corruption: shift +- this many thumbnail pixels")("scale", defaulted(&ae.scale),
                                                                                        "corruption: scale 1 +- this")(
      "margin", defaulted(&ae.margin),
      "hash margin: code pre-activations keep their clean sign by this many standard deviations")(
      "margin-weight", defaulted(&ae.margin_weight),
      "weight of the margin hinge loss (0 = plain denoising autoencoder)")("dropout", defaulted(&ae.dropout),
                                                                           "dropout of the 128 code units")(
      "seed", defaulted(&ae.seed), "drives the sample, the initial weights, shuffling and noise")(

      "overwrite", po::bool_switch(&opt.overwrite), "replace the model file if it exists");
  add_compute_options(desc, &opt.device, &opt.threads, "where the autoencoder trains");
  add_input_options(desc, opt.input);
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("input", 1).add("model", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} IN AE.pt [options]\n\n"
      "Trains DCGAN's de-duplication autoencoder (3072-128-3072, ReLU code) on 32x32 RGB centre crops of a\n"
      "uniform sample of IN. Denoising: each training input gets Gaussian pixel noise (--noise) and a random\n"
      "brightness offset (--brightness) and must reconstruct the clean crop; dropout acts on the code units.\n"
      "At least {} readable images are needed. The model appears only when complete.",
      prog, kMinDedupTrainImages);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  opt.progress = common.progress_options();
  const DedupTrainSummary s = train_dedup_model(input, model, opt);

  Summary()
      .add("model", model)
      .add("input", input, fmt::format("{} ({})", input, s.format))
      .also("format", s.format)
      .also("records", s.records)
      .add("samples", s.samples,
           fmt::format("{}{}", s.samples, s.unreadable ? fmt::format(" ({} unreadable skipped)", s.unreadable) : ""))
      .also("unreadable", s.unreadable)
      .also("options",
            [&] {
              HashAutoencoderOptions used = ae;
              used.epochs = s.epochs;
              return used.to_json();
            }())
      .add("epochs", s.epochs,
           fmt::format("{}{}", s.epochs,
                       s.epochs_auto ? fmt::format(" (auto: at least 10, and {} minibatches)", kMinAutoSteps) : ""))
      .also("epochs_auto", s.epochs_auto)
      .add("epoch_loss", s.epoch_loss, join_losses(s.epoch_loss), "loss per epoch")
      .add("clean_loss", s.clean_loss, fmt::format("{:.4f} (standardised units)", s.clean_loss),
           "clean reconstruction MSE")
      .add("mean_bits", s.mean_bits,
           fmt::format("{:.1f} of 128 ({} units never on, {} always on)", s.mean_bits, s.dead_units, s.always_units),
           "bits set per image")
      .also("dead_units", s.dead_units)
      .also("always_units", s.always_units)
      .add("distinct_hashes", s.distinct, fmt::format("{} of {}", s.distinct, s.samples), "distinct hashes in sample")
      .add("seconds", s.seconds, fmt::format("{:.1f} s ({:.1f} s training)", s.seconds, s.train_seconds), "time")
      .also("train_seconds", s.train_seconds)
      .emit(common.json);
  return 0;
}

int dedup_hash(const std::string& prog, const std::vector<std::string>& args) {
  DedupHashOptions opt;
  CommonFlags common;
  std::string input, groups, keep, model, apply, report, method = "ae", compression = "gzip:4";
  po::options_description desc("Options");
  desc.add_options()("input", po::value(&input)->required(), "dataset: HDF5 pyramid, image folder, lmdb, ...")(
      "groups", po::value(&groups)->required(), "output: the duplicate groups (JSON)")(
      "keep", po::value(&keep), "output: names of the images kept, one per line (default: GROUPS with .keep.txt)")(
      "model", po::value(&model), "the autoencoder (gan-data dedup train)")(
      "method", po::value(&method)->default_value("ae"), "ae (semantic hash) or exact (identical pixels, no model)")(
      "radius", defaulted(&opt.grouping.radius),
      "group hashes within this Hamming distance (0, 1 or 2 bits; 0 = equal hashes, DCGAN's rule)")(
      "probe", defaulted(&opt.grouping.probe),
      "instead of --radius: also probe the hashes made by flipping any subset of each image's K least confident bits "
      "(1..12, or up to 32 with --probe-distance); an image joins the group it reaches with the nearest probe")(
      "probe-distance", po::value(&opt.grouping.probe_distance),
      "with --probe: only probes whose bits a change of at most D RMS grey levels could flip (the sum of the "
      "flipped bits' distances; default: no limit)")(
      "verify-angle", po::value(&opt.grouping.verify_angle),
      "with --probe: an earlier image reached by a probe or by the same hash counts only when the two images' code "
      "positions (signed distances to the 128 hash hyperplanes) are at most A degrees apart (default: no check)")(
      "verify-pixels", po::value(&opt.grouping.verify_pixels),
      "with --probe: a hit counts only when the two thumbnails' 8x8 grey sketches differ by at most T grey levels "
      "on average (default: no check)")(
      "target-precision", po::value(&opt.grouping.target_precision),
      "choose --verify-angle and --verify-pixels from the data so that the estimated share of wrong removals stays "
      "below 1 - P; without --probe, --probe 24 --probe-distance 0.7 (the default, at 0.99, when no --radius, "
      "--probe or --verify-* is given)")("apply", po::value(&apply),
                                         "also write the de-duplicated dataset as an HDF5 pyramid")(
      "report", po::value(&report),
      "also write a contact sheet (PNG) of the 32 groups whose members lie farthest apart, to look at before "
      "--apply")("resolution", defaulted(&opt.apply_import.resolution),
                 "--apply on a non-HDF5 input: as gan-data import")(
      "center-crop", po::bool_switch(&opt.apply_import.center_crop), "--apply on a non-HDF5 input: as gan-data import")(
      "resize-filter", defaulted(&opt.apply_import.resize_filter), "--apply on a non-HDF5 input: area|lanczos|bicubic")(
      "compression", po::value(&compression)->default_value("gzip:4"), "--apply on a non-HDF5 input: none|gzip|gzip:N")(

      "overwrite", po::bool_switch(&opt.outputs.overwrite), "replace the outputs if they exist");
  add_compute_options(desc, &opt.device, &opt.threads, "where the autoencoder runs");
  add_input_options(desc, opt.input);
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("input", 1).add("groups", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} IN GROUPS.json --model AE.pt [--keep KEEP.txt] [--apply OUT.h5] [options]\n"
      "       {} IN GROUPS.json --method exact [...]\n\n"
      "Hashes every image of IN: the 128-bit semantic hash (autoencoder code unit > 0) of its 32x32 centre\n"
      "crop, or with --method exact a hash of its decoded pixels. Images with one hash form a group; the first\n"
      "of each group (in dataset order) is kept. Writes the groups (JSON: hash, members with index and name),\n"
      "the keep list and, with --apply, the de-duplicated dataset. IN is never modified. Unreadable images are\n"
      "named and skipped. Without --radius, --probe or --verify-*, near-duplicates are probed for and verified\n"
      "with settings chosen from the data for a removal precision of 0.99 (--target-precision).",
      prog, prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  opt.grouping.method = parse_dedup_method(method);
  opt.grouping.model = model;
  // Without grouping options the settings come from the data, at the default target precision.
  const bool grouping_given = !vm["radius"].defaulted() || !vm["probe"].defaulted() || vm.count("probe-distance") ||
                              vm.count("verify-angle") || vm.count("verify-pixels") || vm.count("target-precision");
  if (!grouping_given && opt.grouping.method == DedupMethod::Autoencoder)
    opt.grouping.target_precision = kDefaultTargetPrecision;
  opt.outputs.groups = groups;
  if (keep.empty()) {
    std::filesystem::path k = groups;
    keep = (k.extension() == ".json" ? k.replace_extension("") : k).string() + ".keep.txt";
  }
  opt.outputs.keep = keep;
  opt.outputs.apply = apply;
  opt.outputs.report = report;
  opt.apply_import.compression = Compression::parse(compression);
  opt.progress = common.progress_options();
  const DedupHashSummary s = hash_dataset(input, opt);

  const double rate = s.hash_seconds > 0 ? s.hashed / s.hash_seconds : 0.0;
  const DedupGrouping& used = s.grouping;  // with --target-precision, as chosen
  Summary r;
  r.add("input", input, fmt::format("{} ({})", input, s.format))
      .also("format", s.format)
      .add("method", method, method == "ae" ? "ae (" + model + ")" : method)
      .also("radius", used.radius)
      .also("probe", used.probe)
      .also("probe_distance", limit_json(used.probe_distance))
      .also("verify_angle", limit_json(used.verify_angle))
      .also("verify_pixels", limit_json(used.verify_pixels));
  auto limit = [](double v, const char* text) {
    return std::isinf(v) ? std::string() : ", " + fmt::format(fmt::runtime(text), v);
  };
  if (method == "ae")
    r.row("grouping", used.probe > 0    ? fmt::format("probe {} least confident bits{}{}{}", used.probe,
                                                      limit(used.probe_distance, "within {} grey levels"),
                                                      limit(used.verify_angle, "verified within {} degrees"),
                                                      limit(used.verify_pixels, "and {} grey levels of sketch"))
                      : used.radius > 0 ? fmt::format("within {} bits", used.radius)
                                        : std::string("equal hashes"));
  if (used.target_precision > 0) {
    const VerificationChoice& v = s.verification;
    r.add("target_precision", verification_json(v),
          fmt::format("{}: estimated {:.4f} (95 % lower bound {:.4f}), about {:.1f} wrong of {} removals{}", v.target,
                      v.precision, v.precision_low, v.wrong, v.accepted,
                      v.met ? "" : "; the target is not reachable on this data: the most precise settings were used"),
          "target precision");
  }
  r.add("images", s.hashed,
        fmt::format("{}{}", s.hashed, s.unreadable ? fmt::format(" ({} unreadable skipped)", s.unreadable) : ""))
      .also("records", s.records)
      .also("unreadable", s.unreadable)
      .add("groups", s.groups, fmt::format("{} (largest {})", s.groups, s.largest_group), "duplicate groups")
      .also("largest_group", s.largest_group)
      .add("kept", s.kept, fmt::format("{} ({} removed)", s.kept, s.removed))
      .also("removed", s.removed)
      .also("largest_spread", s.largest_spread)
      .also("groups_spread_over_4", s.spread_over_4);
  if (method == "ae")
    r.row("spread", fmt::format("largest {:.1f} grey levels; {} groups over {} (their members differ: check them)",
                                s.largest_spread, s.spread_over_4, kDoubtfulSpread));
  r.add("groups_file", groups).add("keep_file", keep, {}, "keep list");
  if (!report.empty()) r.add("report", report, {}, "contact sheet");
  if (!apply.empty())
    r.add("apply", apply, fmt::format("{} ({} images)", apply, s.applied), "de-duplicated dataset")
        .also("applied", s.applied);
  r.add("seconds", s.seconds, fmt::format("{:.2f} s ({:.0f} images/s hashing)", s.seconds, rate), "time")
      .also("hash_seconds", s.hash_seconds)
      .also("images_per_second", rate)
      .emit(common.json);
  return 0;
}

}  // namespace

int data_dedup(const std::string& prog, const std::vector<std::string>& args) {
  return run_steps(
      prog,
      "DCGAN's de-duplication: a 128-bit semantic hash from a denoising autoencoder; images with equal "
      "hashes\nare near-duplicates.",
      {{"train", "train the hashing autoencoder: IN AE.pt", dedup_train},
       {"hash", "find duplicate groups, write the keep list (--apply OUT.h5): IN GROUPS.json", dedup_hash}},
      args);
}

}  // namespace gankit::cli
