#include "feature_source.h"

#include <fstream>

#include "error.h"
#include "feature_store.h"
#include "hdf5_store.h"

namespace gankit {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKind = "backbone-features";
constexpr const char* kSplit = "images";

std::string attribute(const FeatureReader& r, const std::string& name) {
  auto it = r.attributes().find(name);
  GANKIT_CHECK_DATA(it != r.attributes().end(), "{}: statistics file without the attribute {}", r.path().string(),
                    name);
  return it->second;
}

}  // namespace

bool is_stats_file(const fs::path& path) {
  if (!fs::is_regular_file(path)) return false;
  char magic[8] = {};
  std::ifstream(path, std::ios::binary).read(magic, 8);
  if (std::string(magic, 8) != "\x89HDF\r\n\x1a\n") return false;  // HDF5's signature
  try {
    const FeatureReader r(path);
    auto it = r.attributes().find("kind");
    return it != r.attributes().end() && it->second == kKind;
  } catch (const Error&) {
    return false;
  }
}

FeatureSource read_stats_file(const fs::path& path) {
  const FeatureReader r(path);
  auto kind = r.attributes().find("kind");
  GANKIT_CHECK_DATA(kind != r.attributes().end() && kind->second == kKind,
                    "{} is not a statistics file of gan-eval stats", path.string());
  FeatureSource s;
  s.from_stats = true;
  s.backbone.name = attribute(r, "backbone");
  s.backbone.hash = attribute(r, "backbone_hash");
  s.backbone.resize = attribute(r, "resize");
  s.backbone.input_size = std::stoi(attribute(r, "backbone_input_size"));
  s.input = attribute(r, "input");
  s.fingerprint = attribute(r, "input_fingerprint");
  const FeatureSplitInfo& split = r.split(kSplit);
  s.features = FeatureMatrix(split.count, r.dim());
  r.read_rows(kSplit, 0, split.count, s.features.data.data());
  check_finite(s.features, path.string());
  return s;
}

void write_stats_file(const fs::path& out, const FeatureSource& s, bool overwrite) {
  FeatureWriter w(out, s.features.dim, overwrite);
  w.add_split(kSplit, s.features.rows, {}, s.input);
  w.write_rows(kSplit, 0, s.features.rows, s.features.data.data());
  w.set_attribute("kind", kKind);
  w.set_attribute("backbone", s.backbone.name);
  w.set_attribute("backbone_hash", s.backbone.hash);
  w.set_attribute("backbone_input_size", std::to_string(s.backbone.input_size));
  w.set_attribute("resize", s.backbone.resize);
  w.set_attribute("input", s.input);
  w.set_attribute("input_fingerprint", s.fingerprint);
  w.set_attribute("num_images", std::to_string(s.features.rows));
  w.set_attribute("tool_version", tool_version());
  w.commit();
}

FeatureSource feature_source(const fs::path& input, const BackboneSpec& spec, const ImageSetOptions& load,
                             const std::string& label) {
  GANKIT_CHECK_DATA(fs::exists(input), "{} does not exist", input.string());
  if (is_stats_file(input)) {
    FeatureSource s = read_stats_file(input);
    if (!spec.name.empty()) {
      const BackboneIdentity want = backbone_identity(spec);
      GANKIT_CHECK_DATA(s.backbone.same_as(want),
                        "{} holds features of {}, not of {}: make it again with gan-eval stats, or pass that backbone "
                        "and " GANKIT_SETTING("resize"),
                        input.string(), s.backbone.describe(), want.describe());
    }
    if (load.limit > 0) {
      GANKIT_CHECK_DATA(s.features.rows >= load.limit,
                        "{} holds features of {} images, fewer than " GANKIT_SETTING("num_images") " {}",
                        input.string(), s.features.rows, load.limit);
      s.features = first_rows(s.features, load.limit);
    }
    return s;
  }
  GANKIT_CHECK_USAGE(!spec.name.empty(),
                     "{} holds images: give " GANKIT_SETTING("backbone") " FILE.pt or d:RUN to compute their features (or pass a "
                     "statistics file of gan-eval stats)",
                     input.string());
  auto images = open_image_set(input, load);
  if (load.limit > 0)
    GANKIT_CHECK_DATA(images->count() == load.limit,
                      "{} has only {} images, fewer than " GANKIT_SETTING("num_images") " {}", input.string(),
                      images->count(), load.limit);
  FeatureSource s;
  s.backbone = backbone_identity(spec);
  s.input = input.string();
  s.fingerprint = image_set_fingerprint(*images);
  s.features = backbone_features(spec, *images, load.progress, label);
  return s;
}

void check_comparable(const FeatureSource& a, const FeatureSource& b) {
  GANKIT_CHECK_DATA(a.backbone.same_as(b.backbone), "the two sets' features come from different backbones: {} and {}",
                    a.backbone.describe(), b.backbone.describe());
}

}  // namespace gankit
