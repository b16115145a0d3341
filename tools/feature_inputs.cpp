#include "feature_inputs.h"

#include <omp.h>

#include "error.h"
#include "swd_torch.h"

namespace gankit::cli {

void add_feature_input_options(po::options_description& desc, FeatureInputFlags& f) {
  desc.add_options()("backbone", po::value(&f.backbone),
                     "FILE.pt: a TorchScript feature network (scripts/export-inception.py makes pytorch-fid's "
                     "Inception v3), or d:RUN: a gan-train DCGAN discriminator's features. Not needed when both "
                     "inputs are statistics files")("backbone-size", po::value(&f.backbone_size)->default_value(0),
                                                    "the network's input size (default: its input_size attribute)")(
      "resize", po::value(&f.resize)->default_value("clean"),
      "how images reach the input size: clean (PIL bicubic with antialiasing, clean-fid), legacy-pytorch "
      "(bilinear, pytorch-fid), legacy-tf (bilinear, the original TF FID)")(
      "num-images", po::value(&f.num_images)->default_value(-1), "use the first N images of each set (default: all)")(
      "resolution", po::value(&f.resolution)->default_value(0), "HDF5 level to read (default: the largest)")(
      "batch", po::value(&f.batch)->default_value(50), "images per network call (memory only)")(

      "recursive", po::bool_switch(&f.recursive), "image folders: include subfolders");
  add_compute_options(desc, &f.device, &f.threads, "where the backbone network runs");
  add_decode_options(desc);
}

BackboneSpec backbone_spec(const FeatureInputFlags& f) {
  GANKIT_CHECK_USAGE(f.threads >= 0, "--threads {} must be positive", f.threads);
  GANKIT_CHECK_USAGE(f.batch >= 1, "--batch {} must be positive", f.batch);
  GANKIT_CHECK_USAGE(f.backbone_size >= 0 && f.backbone_size <= 4096, "--backbone-size {} must be 1 .. 4096",
                     f.backbone_size);
  GANKIT_CHECK_USAGE(f.num_images == -1 || f.num_images > 0, "--num-images {} must be positive", f.num_images);
  if (f.device != "cpu")
    GANKIT_CHECK_USAGE(swd_device_available(f.device), "--device {}: no such CUDA device here (use --device cpu)",
                       f.device);
  GANKIT_CHECK_USAGE(is_resize_mode(f.resize), "--resize {}: use clean, legacy-pytorch or legacy-tf", f.resize);
  if (f.threads > 0) omp_set_num_threads(f.threads);
  BackboneSpec s;
  s.name = f.backbone;
  s.size = f.backbone_size;
  s.resize = parse_resize_mode(f.resize);
  s.device = f.device;
  s.batch = f.batch;
  s.threads = f.threads;
  return s;
}

ImageSetOptions image_options(const FeatureInputFlags& f, const CommonFlags& common) {
  ImageSetOptions o;
  o.resolution = f.resolution;
  o.limit = f.num_images;
  o.recursive = f.recursive;
  o.rgb = false;  // the resizer repeats grey to 3 channels; a grey discriminator takes it as it is
  o.progress = common.progress_options();
  return o;
}

std::pair<FeatureSource, FeatureSource> load_feature_pair(const std::string& real, const std::string& fake,
                                                          const FeatureInputFlags& f, const CommonFlags& common) {
  const BackboneSpec spec = backbone_spec(f);
  const ImageSetOptions load = image_options(f, common);
  FeatureSource r = feature_source(real, spec, load, "real");
  FeatureSource k = feature_source(fake, spec, load, "fake");
  check_comparable(r, k);
  return {std::move(r), std::move(k)};
}

FeaturePairCommand::FeaturePairCommand() {
  options.add_options()("real", po::value(&real)->required(),
                        "real images (folder, .npy/.npz, .h5) or a statistics file")(
      "fake", po::value(&fake)->required(), "generated images or a statistics file");
}

bool FeaturePairCommand::parse(const std::string& usage, const std::vector<std::string>& args) {
  add_feature_input_options(options, flags);
  add_common(options, common, true);
  po::positional_options_description pos;
  pos.add("real", 1).add("fake", 1);
  po::variables_map vm;
  return cli::parse(usage, args, options, pos, vm);
}

std::pair<FeatureSource, FeatureSource> FeaturePairCommand::load() const {
  return load_feature_pair(real, fake, flags, common);
}

nlohmann::json provenance_json(const FeatureSource& real, const FeatureSource& fake) {
  return {{"backbone", real.backbone.name},         {"backbone_hash", real.backbone.hash},
          {"input_size", real.backbone.input_size}, {"resize", real.backbone.resize},
          {"feature_dim", real.features.dim},       {"num_real", real.features.rows},
          {"num_fake", fake.features.rows},         {"real_fingerprint", real.fingerprint},
          {"fake_fingerprint", fake.fingerprint}};
}

}  // namespace gankit::cli
