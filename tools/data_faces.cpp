// gan-data faces IN OUT.h5 | --out-dir DIR
#include <fmt/format.h>

#include "cli.h"
#include "error.h"
#include "face_crop.h"
#include "gan_data_commands.h"
#include "report.h"

namespace gankit::cli {

int data_faces(const std::string& prog, const std::vector<std::string>& args) {
  FaceCropOptions opt;
  CommonFlags common;
  std::string source, out, out_dir, manifest, model;
  po::options_description desc("Options");
  desc.add_options()("source", po::value(&source)->required(), "photos: image folder or LSUN lmdb")(
      "out", po::value(&out), "output HDF5 pyramid of the crops")("out-dir", po::value(&out_dir),
                                                                  "write PNG crops to this folder instead of OUT.h5")(
      "manifest", po::value(&manifest), "JSON-lines manifest (default: OUT with .manifest.jsonl)")(
      "min-face", defaulted(&opt.min_face), "smallest face side kept, pixels (the resolution filter)")(
      "margin", defaulted(&opt.margin), "crop margin around the box, as a fraction of its side")(
      "size", defaulted(&opt.size), "output size of the square crops (a power of two)")(
      "max-faces-per-image", defaulted(&opt.max_faces), "keep the largest N faces per photo (0 = all)")(
      "cascade", po::value(&opt.cascade), "Haar/LBP cascade file or name (default frontalface_default)")(
      "model", po::value(&model), "a cv::FaceDetectorYN model (YuNet .onnx) instead of a cascade")(
      "scale-factor", defaulted(&opt.scale_factor), "cascade: scale step of the search")(
      "min-neighbors", defaulted(&opt.min_neighbors), "cascade: overlapping detections a face needs")(
      "score-threshold", defaulted(&opt.score_threshold), "model: minimum confidence")(
      "format", defaulted(&opt.format), "source format: auto|folder|lsun|celeba")(
      "recursive", po::bool_switch(&opt.recursive), "image folders: include subfolders")(
      "overwrite", po::bool_switch(&opt.overwrite), "replace the outputs if they exist");
  add_common(desc, common, true);
  add_decode_options(desc);
  po::positional_options_description pos;
  pos.add("source", 1).add("out", 1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {0} PHOTOS OUT.h5 [options]\n"
      "       {0} PHOTOS --out-dir DIR [options]\n\n"
      "DCGAN's face filtering: runs an OpenCV face detector over raw photos and keeps only faces of at least\n"
      "--min-face pixels, as square crops (the box plus --margin on each side, inside the photo) resized to\n"
      "--size. Unreadable photos are named and skipped. The manifest has one JSON line per detection (box,\n"
      "score, kept or why not: too small, too close to the border, beyond --max-faces-per-image) and per photo\n"
      "without a face. Outputs appear only when complete.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(out.empty() != out_dir.empty(), "give either OUT.h5 or --out-dir DIR");
  const std::filesystem::path target = out.empty() ? std::filesystem::path(out_dir) : std::filesystem::path(out);
  if (!out.empty()) GANKIT_CHECK_USAGE(target.extension() == ".h5", "{}: OUT must end in .h5 (or use --out-dir)", out);
  std::filesystem::path manifest_path = manifest;
  if (manifest_path.empty()) {
    manifest_path = target;
    manifest_path = target.has_extension() ? manifest_path.replace_extension(".manifest.jsonl")
                                           : std::filesystem::path(target.string() + ".manifest.jsonl");
  }
  opt.model = model;
  opt.progress = common.progress_options();
  const FaceCropSummary s = crop_faces(source, target, manifest_path, opt);

  Summary()
      .add("output", target.string())
      .add("manifest", manifest_path.string())
      .add("detector", s.detector)
      .add("photos", s.photos, fmt::format("{} ({} unreadable, skipped)", s.photos, s.unreadable))
      .also("unreadable", s.unreadable)
      .add("without_face", s.without_face, {}, "photos without a face")
      .add("detections", s.detections)
      .add("kept", s.kept, fmt::format("{} crops of {}x{}", s.kept, opt.size, opt.size))
      .also("size", opt.size)
      .row("rejected", fmt::format("{} too small, {} at the border, {} beyond the per-photo limit", s.too_small,
                                   s.at_border, s.over_limit))
      .also("too_small", s.too_small)
      .also("at_border", s.at_border)
      .also("over_limit", s.over_limit)
      .add("seconds", s.seconds, fmt::format("{:.2f} s", s.seconds), "time")
      .also("photos_per_second", s.seconds > 0 ? (s.photos + s.unreadable) / s.seconds : 0.0)
      .emit(common.json);
  return 0;
}

}  // namespace gankit::cli
