#include "dedup.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "atomic_output.h"
#include "dedup_module.h"
#include "dedup_report.h"
#include "error.h"
#include "import.h"
#include "sketch.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_text(const fs::path& temp, const std::string& text, const fs::path& target) {
  std::ofstream f(temp, std::ios::binary);
  f << text;
  f.close();
  GANKIT_CHECK_DATA(f.good(), "cannot write {}", target.string());
}

std::string absolute_name(const fs::path& p) { return fs::absolute(p).lexically_normal().string(); }

void check_autoencoder_options(const HashAutoencoderOptions& o) {
  GANKIT_CHECK_USAGE(o.epochs >= 0, GANKIT_SETTING("epochs") " {} must be at least 1 (or 0: auto)", o.epochs);
  GANKIT_CHECK_USAGE(o.batch >= 1, GANKIT_SETTING("batch") " {} must be at least 1", o.batch);
  GANKIT_CHECK_USAGE(o.lr > 0, GANKIT_SETTING("lr") " {} must be positive", o.lr);
  GANKIT_CHECK_USAGE(o.noise >= 0 && o.noise <= 1, GANKIT_SETTING("noise") " {} must be in [0, 1] (pixel range units)",
                     o.noise);
  GANKIT_CHECK_USAGE(o.brightness >= 0 && o.brightness < 1, GANKIT_SETTING("brightness") " {} must be in [0, 1)",
                     o.brightness);
  GANKIT_CHECK_USAGE(o.resample > 0 && o.resample <= 1, GANKIT_SETTING("resample") " {} must be in (0, 1]", o.resample);
  GANKIT_CHECK_USAGE(o.shift >= 0 && o.shift <= 8, GANKIT_SETTING("shift") " {} must be in [0, 8] pixels", o.shift);
  GANKIT_CHECK_USAGE(o.scale >= 0 && o.scale < 0.5, GANKIT_SETTING("scale") " {} must be in [0, 0.5)", o.scale);
  GANKIT_CHECK_USAGE(o.margin >= 0, GANKIT_SETTING("margin") " {} must not be negative", o.margin);
  GANKIT_CHECK_USAGE(o.margin_weight >= 0, GANKIT_SETTING("margin_weight") " {} must not be negative", o.margin_weight);
  GANKIT_CHECK_USAGE(o.dropout >= 0 && o.dropout < 1, GANKIT_SETTING("dropout") " {} must be in [0, 1)", o.dropout);
}

// Copies images `keep` of pyramid `input` (all levels, labels, provenance) into `out`.
int64_t apply_to_pyramid(const fs::path& input, const fs::path& out, const std::vector<int64_t>& keep,
                         const DedupHashOptions& opt, const std::string& provenance) {
  PyramidReader reader(input);
  const PyramidInfo& info = reader.info();
  PyramidWriterOptions w;
  w.compression = Compression::parse(info.compression == "none" ? "none" : info.compression);
  w.with_labels = info.has_labels;
  w.class_names = info.class_names;
  w.attributes = info.attributes;
  w.attributes["dedup"] = provenance;
  w.overwrite = opt.outputs.overwrite;
  PyramidWriter writer(out, info.resolution, info.channels, w);
  const std::vector<int64_t> labels = reader.labels();
  Progress bar("apply", static_cast<int64_t>(keep.size()), opt.progress);
  constexpr size_t kChunk = 1024;
  for (size_t s = 0; s < keep.size(); s += kChunk) {
    const std::span<const int64_t> idx(keep.data() + s, std::min(kChunk, keep.size() - s));
    const ImageBatch b = reader.read_indices(info.resolution, idx);
    for (size_t i = 0; i < idx.size(); ++i)
      writer.append(b.image(static_cast<int64_t>(i)), labels.empty() ? -1 : labels[static_cast<size_t>(idx[i])]);
    bar.add(static_cast<int64_t>(idx.size()));
  }
  bar.finish();
  writer.commit();
  return writer.count();
}

}  // namespace

DedupTrainSummary train_dedup_model(const fs::path& input, const fs::path& model, const DedupTrainOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  check_autoencoder_options(opt.autoencoder);
  GANKIT_CHECK_USAGE(opt.samples >= kMinDedupTrainImages,
                     GANKIT_SETTING("samples") " {} is too small to train the autoencoder (at least {})", opt.samples,
                     kMinDedupTrainImages);
  { AtomicOutput probe(model, opt.overwrite); }  // an unwritable model fails before any reading
  const DataTorchModule& module = data_torch_module();

  ThumbnailReader reader(input, opt.input);
  DedupTrainSummary s;
  s.format = reader.format();
  const std::vector<uint8_t> sample = sample_thumbnails(reader, opt.samples, opt.autoencoder.seed, opt.progress);
  s.samples = static_cast<int64_t>(sample.size() / kThumbnailBytes);
  s.records = reader.random_access() ? reader.count() : reader.records();
  s.unreadable = reader.unreadable();
  GANKIT_CHECK_DATA(s.samples >= kMinDedupTrainImages,
                    "{} has {} readable images{}: too few to train the dedup autoencoder (at least {}); use "
                    GANKIT_SETTING("method") " exact for exact duplicates, or hash it with a model trained on a larger set of similar "
                    "images",
                    input.string(), s.samples, s.unreadable ? fmt::format(" ({} unreadable)", s.unreadable) : "",
                    kMinDedupTrainImages);
  HashAutoencoderOptions options = opt.autoencoder;
  options.epochs = options.resolved_epochs(s.samples);
  s.epochs = options.epochs;
  s.epochs_auto = opt.autoencoder.epochs == 0;
  const nlohmann::json extra = {{"input", absolute_name(input)},
                                {"epochs_auto", s.epochs_auto},
                                {"format", s.format},
                                {"records", s.records},
                                {"unreadable", s.unreadable},
                                {"samples", s.samples},
                                {"thumbnail", thumbnail_description()},
                                {"thumbnail_version", kThumbnailVersion}};
  const AutoencoderTrainResult r =
      module.train(sample, options, opt.device, opt.threads, model, extra, opt.progress.quiet);
  s.epoch_loss = r.epoch_loss;
  s.clean_loss = r.clean_loss;
  s.mean_bits = r.mean_bits;
  s.dead_units = r.dead_units;
  s.always_units = r.always_units;
  s.distinct = r.distinct;
  s.train_seconds = r.seconds;
  s.seconds = since(t0);
  return s;
}

nlohmann::json limit_json(double limit) { return std::isinf(limit) ? nlohmann::json(nullptr) : nlohmann::json(limit); }

nlohmann::json verification_json(const VerificationChoice& v) {
  return {{"target", v.target},
          {"met", v.met},
          {"verify_angle", v.angle},
          {"verify_pixels", v.pixels},
          {"candidates", v.candidates},
          {"accepted", v.accepted},
          {"band", v.band},
          {"band_grey_levels", {kBandLow, kBandHigh}},
          {"estimated_wrong", v.wrong},
          {"estimated_wrong_95", v.wrong_high},
          {"estimated_precision", v.precision},
          {"estimated_precision_95", v.precision_low}};
}

DedupMethod parse_dedup_method(const std::string& name) {
  if (name == "ae") return DedupMethod::Autoencoder;
  if (name == "exact") return DedupMethod::Exact;
  fail(ErrorKind::Usage,
       fmt::format(GANKIT_SETTING("method") " {}: expected ae (autoencoder hash) or exact (identical pixels)", name));
}

namespace {

void check_hash_options(const DedupHashOptions& opt) {
  const bool ae = opt.grouping.method == DedupMethod::Autoencoder;
  GANKIT_CHECK_USAGE(
      !ae || !opt.grouping.model.empty(),
      GANKIT_SETTING("model") " AE.pt is required (train one with gan-data dedup train), or use " GANKIT_SETTING(
          "method") " exact");
  GANKIT_CHECK_USAGE(ae || opt.grouping.model.empty(),
                     GANKIT_SETTING("model") " applies to " GANKIT_SETTING("method") " ae only");
  GANKIT_CHECK_USAGE(ae || opt.grouping.radius == 0,
                     GANKIT_SETTING("radius") " applies to " GANKIT_SETTING("method") " ae only");
  GANKIT_CHECK_USAGE(opt.grouping.radius >= 0 && opt.grouping.radius <= 2,
                     GANKIT_SETTING("radius") " {}: expected 0, 1 or 2 (bits)", opt.grouping.radius);
  GANKIT_CHECK_USAGE(ae || opt.grouping.probe == 0,
                     GANKIT_SETTING("probe") " applies to " GANKIT_SETTING("method") " ae only");
  GANKIT_CHECK_USAGE(opt.grouping.probe >= 0 && opt.grouping.probe <= kMaxProbeBits,
                     GANKIT_SETTING("probe") " {}: expected 0 to {} bits", opt.grouping.probe, kMaxProbeBits);
  GANKIT_CHECK_USAGE(opt.grouping.probe == 0 || opt.grouping.radius == 0,
                     "give " GANKIT_SETTING("radius") " or " GANKIT_SETTING("probe") ", not both");
  GANKIT_CHECK_USAGE(opt.grouping.probe > 0 || std::isinf(opt.grouping.probe_distance),
                     GANKIT_SETTING("probe_distance") " needs " GANKIT_SETTING("probe") " K");
  GANKIT_CHECK_USAGE(opt.grouping.probe > 0 || std::isinf(opt.grouping.verify_angle),
                     GANKIT_SETTING("verify_angle") " needs " GANKIT_SETTING("probe") " K");
  GANKIT_CHECK_USAGE(opt.grouping.probe > 0 || std::isinf(opt.grouping.verify_pixels),
                     GANKIT_SETTING("verify_pixels") " needs " GANKIT_SETTING("probe") " K");
  const double target = opt.grouping.target_precision;
  GANKIT_CHECK_USAGE(target == 0 || (target > 0 && target < 1),
                     GANKIT_SETTING("target_precision") " {}: expected a share between 0 and 1, e.g. 0.99", target);
  GANKIT_CHECK_USAGE(
      target == 0 || (std::isinf(opt.grouping.verify_angle) && std::isinf(opt.grouping.verify_pixels)),
      GANKIT_SETTING("target_precision") " chooses " GANKIT_SETTING("verify_angle") " and " GANKIT_SETTING(
          "verify_pixels") " from the data: give one or the other");
  GANKIT_CHECK_USAGE(
      target == 0 || opt.grouping.probe > 0,
      GANKIT_SETTING("target_precision") " works with " GANKIT_SETTING("probe") ", not " GANKIT_SETTING("radius"));
  if (opt.grouping.probe > 0)
    check_probe_settings(opt.grouping.probe, opt.grouping.probe_distance, opt.grouping.verify_angle,
                         opt.grouping.verify_pixels);
  GANKIT_CHECK_USAGE(!opt.outputs.groups.empty() && !opt.outputs.keep.empty(), "give the groups and keep outputs");
  GANKIT_CHECK_USAGE(opt.outputs.groups != opt.outputs.keep && opt.outputs.groups != opt.outputs.apply &&
                         opt.outputs.keep != opt.outputs.apply,
                     "the groups, keep and " GANKIT_SETTING("apply") " outputs must be different files");
  GANKIT_CHECK_USAGE(opt.outputs.apply.empty() || opt.outputs.apply.extension() == ".h5",
                     GANKIT_SETTING("apply") " {}: the output must end in .h5", opt.outputs.apply.string());
  GANKIT_CHECK_USAGE(opt.outputs.report.empty() || opt.outputs.report.extension() == ".png",
                     GANKIT_SETTING("report") " {}: the contact sheet must end in .png", opt.outputs.report.string());
}

std::unique_ptr<ThumbnailHasher> open_hasher(const DedupHashOptions& opt) {
  auto hasher = data_torch_module().open_hasher(opt.grouping.model, opt.device, opt.threads);
  // Models from before the low-pass thumbnails (no version recorded) hash other pixels.
  const int version = hasher->meta().value("extra", nlohmann::json::object()).value("thumbnail_version", 1);
  GANKIT_CHECK_DATA(version == kThumbnailVersion,
                    "{} was trained on version-{} thumbnails; this gan-data hashes version-{} thumbnails ({}): "
                    "train a new model with gan-data dedup train",
                    opt.grouping.model.string(), version, kThumbnailVersion, thumbnail_description());
  return hasher;
}

// Every readable image's hash (and, with --probe, its least confident bits and their flip
// distances; with --verify-angle, its code position), record index and name, in reading order.
struct HashedImages {
  std::vector<Hash128> hashes;
  std::vector<uint8_t> uncertain;    // opt.grouping.probe bit indices per image
  std::vector<float> flip_distance;  // and their flip distances
  std::vector<float> code_position;  // kHashCodeUnits per image
  std::vector<uint8_t> sketches;     // kSketchBytes per image (thumbnails read: not --method exact)
  std::vector<int64_t> positions;
  std::vector<std::string> names;
};

HashedImages hash_images(ThumbnailReader& reader, ThumbnailHasher* hasher, const DedupHashOptions& opt) {
  HashedImages h;
  const size_t probe = static_cast<size_t>(opt.grouping.probe);
  const bool verify = !std::isinf(opt.grouping.verify_angle) || opt.grouping.target_precision > 0;
  Progress bar(hasher ? "hash" : "exact hash", reader.count(), opt.progress);
  ThumbnailBatch batch;
  while (true) {
    batch.clear();
    if (!reader.next(batch, 1024)) break;
    const size_t base = h.hashes.size();
    h.hashes.resize(base + batch.size());
    h.uncertain.resize(h.hashes.size() * probe);
    h.flip_distance.resize(h.uncertain.size());
    if (verify) h.code_position.resize(h.hashes.size() * kHashCodeUnits);
    if (hasher) {
      hasher->hash(batch.pixels.data(), static_cast<int64_t>(batch.size()), h.hashes.data() + base,
                   h.uncertain.data() + base * probe, h.flip_distance.data() + base * probe, opt.grouping.probe,
                   verify ? h.code_position.data() + base * kHashCodeUnits : nullptr);
      h.sketches.resize(h.hashes.size() * kSketchBytes);
      for (size_t i = 0; i < batch.size(); ++i)
        thumbnail_sketch(batch.pixels.data() + i * kThumbnailBytes, h.sketches.data() + (base + i) * kSketchBytes);
    } else
      std::copy(batch.pixel_hashes.begin(), batch.pixel_hashes.end(), h.hashes.begin() + static_cast<ptrdiff_t>(base));
    h.positions.insert(h.positions.end(), batch.index.begin(), batch.index.end());
    for (auto& n : batch.names) h.names.push_back(std::move(n));
    bar.add(static_cast<int64_t>(batch.size()));
  }
  bar.finish();
  return h;
}

// --target-precision's candidates: per image, kCandidateHits slots of the earlier images its
// probe search reaches first (nearest first), their code angles and sketch distances.
std::vector<PairDistance> candidate_hits(const HashedImages& h, const DedupGrouping& grouping) {
  const std::vector<int64_t> hits =
      probe_hits(h.hashes, h.uncertain, h.flip_distance, grouping.probe, grouping.probe_distance, kCandidateHits);
  std::vector<PairDistance> out(hits.size(), kNoHit);
  for (size_t slot = 0; slot < hits.size(); ++slot) {
    if (hits[slot] < 0) continue;
    const size_t i = slot / kCandidateHits, j = static_cast<size_t>(hits[slot]);
    out[slot] = {static_cast<float>(code_angle(h.code_position.data() + i * kHashCodeUnits,
                                               h.code_position.data() + j * kHashCodeUnits)),
                 static_cast<float>(
                     sketch_distance(h.sketches.data() + i * kSketchBytes, h.sketches.data() + j * kSketchBytes))};
  }
  return out;
}

// GROUPS.json: the settings, the counts and every group's members (record index and name).
nlohmann::json groups_json(const fs::path& input, const DedupHashOptions& opt, const DedupHashSummary& s,
                           const DuplicateGroups& g, const std::vector<double>& spreads, const HashedImages& h,
                           const ThumbnailReader& reader, const ThumbnailHasher* hasher) {
  nlohmann::json j = {{"input", absolute_name(input)},
                      {"format", s.format},
                      {"method", hasher ? "ae" : "exact"},
                      {"radius", opt.grouping.radius},
                      {"probe", opt.grouping.probe},
                      {"probe_distance", limit_json(opt.grouping.probe_distance)},
                      {"verify_angle", limit_json(opt.grouping.verify_angle)},
                      {"verify_pixels", limit_json(opt.grouping.verify_pixels)},
                      {"thumbnail_version", kThumbnailVersion},
                      {"tool_version", tool_version()},
                      {"images", s.hashed},
                      {"records", s.records},
                      {"distinct", g.distinct},
                      {"removed", s.removed},
                      {"unreadable", reader.unreadable_names()}};
  if (opt.grouping.target_precision > 0) j["target_precision"] = verification_json(s.verification);
  if (hasher) {
    j["model"] = absolute_name(opt.grouping.model);
    j["model_options"] = hasher->meta().value("options", nlohmann::json::object());
  }
  nlohmann::json groups = nlohmann::json::array();
  for (size_t k = 0; k < g.groups.size(); ++k) {
    nlohmann::json members = nlohmann::json::array();
    for (int64_t i : g.groups[k])
      members.push_back({{"index", h.positions[static_cast<size_t>(i)]}, {"name", h.names[static_cast<size_t>(i)]}});
    groups.push_back({{"hash", g.group_hash[k].to_hex()},
                      {"spread", std::round(spreads[k] * 100) / 100},
                      {"members", std::move(members)}});
  }
  j["groups"] = std::move(groups);
  return j;
}

// --apply: the kept records as a new pyramid (copied from a pyramid, else imported); returns
// how many.
int64_t apply_kept(const fs::path& input, const DedupHashOptions& opt, const DedupHashSummary& s,
                   const std::vector<int64_t>& kept_positions, bool random_access) {
  const bool ae = opt.grouping.method == DedupMethod::Autoencoder;
  const std::string provenance = fmt::format(
      "method={}{} radius={} probe={} probe_distance={} verify_angle={} verify_pixels={} kept={} removed={} of {} "
      "(groups: {})",
      ae ? "ae" : "exact", ae ? " model=" + absolute_name(opt.grouping.model) : "", opt.grouping.radius,
      opt.grouping.probe, limit_json(opt.grouping.probe_distance).dump(), limit_json(opt.grouping.verify_angle).dump(),
      limit_json(opt.grouping.verify_pixels).dump(), s.kept, s.removed, s.hashed, absolute_name(opt.outputs.groups));
  if (random_access) return apply_to_pyramid(input, opt.outputs.apply, kept_positions, opt, provenance);
  ImportOptions io;
  io.source.format = opt.input.format;
  io.source.split = opt.input.split;
  io.source.recursive = opt.input.recursive;
  io.resolution = opt.apply_import.resolution;
  io.center_crop = opt.apply_import.center_crop;
  io.resize_filter = opt.apply_import.resize_filter;
  io.compression = opt.apply_import.compression;
  io.overwrite = opt.outputs.overwrite;
  io.progress = opt.progress;
  io.skip_bad = true;  // unreadable records are not selected anyway
  io.select.assign(static_cast<size_t>(s.records), 0);
  for (int64_t p : kept_positions) io.select[static_cast<size_t>(p)] = 1;
  io.attributes["dedup"] = provenance;
  return import_dataset(input, opt.outputs.apply, io).count;
}

}  // namespace

DedupHashSummary hash_dataset(const fs::path& input, const DedupHashOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  DedupHashOptions opt = options;
  if (opt.grouping.target_precision > 0 && opt.grouping.probe == 0 && opt.grouping.radius == 0) {
    opt.grouping.probe = kTargetProbe;  // the search of docs/dedup.md's measured settings
    if (std::isinf(opt.grouping.probe_distance)) opt.grouping.probe_distance = kTargetProbeDistance;
  }
  check_hash_options(opt);
  const bool ae = opt.grouping.method == DedupMethod::Autoencoder;
  // Every output writable (and not there, unless --overwrite) before any reading.
  AtomicOutput groups_out(opt.outputs.groups, opt.outputs.overwrite), keep_out(opt.outputs.keep, opt.outputs.overwrite);
  if (!opt.outputs.apply.empty()) AtomicOutput probe(opt.outputs.apply, opt.outputs.overwrite);
  if (!opt.outputs.report.empty()) AtomicOutput probe(opt.outputs.report, opt.outputs.overwrite);

  const std::unique_ptr<ThumbnailHasher> hasher = ae ? open_hasher(opt) : nullptr;
  ThumbnailReader reader(input, opt.input, ae ? ReadContent::Thumbnails : ReadContent::PixelHashes);
  DedupHashSummary s;
  s.format = reader.format();
  const HashedImages h = hash_images(reader, hasher.get(), opt);
  s.records = reader.records();
  s.unreadable = reader.unreadable();
  s.hashed = static_cast<int64_t>(h.hashes.size());
  GANKIT_CHECK_DATA(s.hashed > 0, "no readable images in {}{}", input.string(),
                    s.unreadable ? fmt::format(" ({} unreadable)", s.unreadable) : "");
  if (opt.grouping.target_precision > 0) {
    s.verification =
        choose_verification(candidate_hits(h, opt.grouping), kCandidateHits, opt.grouping.target_precision);
    opt.grouping.verify_angle = s.verification.angle;
    opt.grouping.verify_pixels = s.verification.pixels;
  }
  s.grouping = opt.grouping;
  const DuplicateGroups g =
      opt.grouping.probe > 0
          ? group_with_probes(h.hashes, h.uncertain, h.flip_distance, opt.grouping.probe, opt.grouping.probe_distance,
                              h.code_position, opt.grouping.verify_angle, h.sketches, opt.grouping.verify_pixels)
          : group_duplicates(h.hashes, opt.grouping.radius);
  s.hash_seconds = since(t0);
  s.groups = static_cast<int64_t>(g.groups.size());
  s.removed = g.removed();
  s.kept = g.distinct;
  for (const auto& members : g.groups) s.largest_group = std::max<int64_t>(s.largest_group, members.size());
  const std::vector<double> spreads = group_spreads(g, h.sketches);
  for (double spread : spreads) {
    s.largest_spread = std::max(s.largest_spread, spread);
    s.spread_over_4 += spread > kDoubtfulSpread;
  }

  std::string keep_text;
  std::vector<int64_t> kept_positions;
  kept_positions.reserve(static_cast<size_t>(g.distinct));
  for (size_t i = 0; i < h.hashes.size(); ++i) {
    if (!g.keep[i]) continue;
    keep_text += h.names[i];
    keep_text += '\n';
    kept_positions.push_back(h.positions[i]);
  }
  if (!opt.outputs.report.empty())
    write_contact_sheet(input, opt.input, reader.random_access(), g, spreads, doubtful_groups(g, spreads), h.positions,
                        opt.outputs.report, opt.progress);
  if (!opt.outputs.apply.empty()) s.applied = apply_kept(input, opt, s, kept_positions, reader.random_access());
  // The groups and keep files appear last, together: their presence means the run completed.
  write_text(groups_out.temp_path(), groups_json(input, opt, s, g, spreads, h, reader, hasher.get()).dump(1) + "\n",
             opt.outputs.groups);
  write_text(keep_out.temp_path(), keep_text, opt.outputs.keep);
  groups_out.commit();
  keep_out.commit();
  s.seconds = since(t0);
  return s;
}

}  // namespace gankit
