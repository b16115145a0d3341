#include "import.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "error.h"
#include "image_io.h"
#include "parallel.h"
#include "progress.h"
#include "pyramid.h"

namespace gankit {
namespace fs = std::filesystem;

int parse_resize_filter(const std::string& name) {
  if (name == "area") return cv::INTER_AREA;
  if (name == "lanczos") return cv::INTER_LANCZOS4;
  if (name == "bicubic") return cv::INTER_CUBIC;
  fail(ErrorKind::Usage, fmt::format(GANKIT_SETTING("resize_filter") " {}: expected area, lanczos or bicubic", name));
}

cv::Mat fit_to_resolution(const cv::Mat& input, int target, bool allow_resize, bool center_crop, int interpolation,
                          const std::string& name) {
  cv::Mat img = input;
  if (img.cols != img.rows) {
    GANKIT_CHECK_DATA(center_crop,
                      "{} is {}x{}, not square: pass " GANKIT_SETTING("center_crop") " (and " GANKIT_SETTING(
                          "resolution") " R to resize)",
                      name, img.cols, img.rows);
    const int s = std::min(img.cols, img.rows);
    img = img(cv::Rect((img.cols - s) / 2, (img.rows - s) / 2, s, s));
  }
  if (img.cols != target) {
    GANKIT_CHECK_DATA(
        allow_resize,
        "{} is {}x{} but the dataset is {}x{} (the size of the first image): mixed sizes need " GANKIT_SETTING(
            "resolution") " R to resize every image",
        name, img.cols, img.rows, target, target);
    cv::Mat out;
    cv::resize(img, out, cv::Size(target, target), 0, 0, interpolation);
    return out;
  }
  return img.isContinuous() ? img : img.clone();
}

ImportSummary import_dataset(const fs::path& source_path, const fs::path& out, const ImportOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  GANKIT_CHECK_USAGE(
      opt.resolution == 0 || (is_power_of_two(opt.resolution) && opt.resolution <= kMaxPyramidResolution),
      GANKIT_SETTING("resolution") " {} is not a power of two from 1 to {}", opt.resolution, kMaxPyramidResolution);
  GANKIT_CHECK_USAGE(opt.limit == -1 || opt.limit > 0, GANKIT_SETTING("limit") " {} must be positive", opt.limit);
  const int interpolation = parse_resize_filter(opt.resize_filter);
  auto source = open_source(source_path, opt.source);
  // Fail on an unwritable output (or one that is the input) before reading a single image.
  { AtomicOutput probe(out, opt.overwrite); }
  ImportSummary summary;
  summary.source = source_path.string();
  summary.format = source->format();
  summary.channels = source->channels();
  summary.has_labels = source->has_labels();
  summary.class_names = source->class_names();

  if (!source->preprocessing().empty() && !opt.progress.quiet)
    std::fprintf(stderr, "note: %s\n", source->preprocessing().c_str());
  int64_t total = source->count();
  if (opt.limit > 0 && (total < 0 || total > opt.limit)) total = opt.limit;
  Progress progress("import " + summary.format, total, opt.progress);

  std::unique_ptr<PyramidWriter> writer;
  int resolution = opt.resolution;
  std::vector<SourceRecord> batch;
  std::vector<std::vector<uint8_t>> chw;
  int64_t remaining = opt.limit > 0 ? opt.limit : INT64_MAX;
  int64_t position = 0;  // of the next record in the source
  const bool selective = !opt.select.empty();
  if (selective) total = std::count(opt.select.begin(), opt.select.end(), 1);
  while (remaining > 0) {
    batch.clear();
    if (!source->next_batch(batch, static_cast<size_t>(std::min<int64_t>(256, remaining)))) break;
    // Bad records, in source order: stop on the first, or skip and count them.
    std::vector<SourceRecord*> good;
    for (auto& r : batch) {
      const int64_t p = position++;
      if (selective && (p >= static_cast<int64_t>(opt.select.size()) || !opt.select[static_cast<size_t>(p)])) continue;
      if (r.error.empty()) {
        good.push_back(&r);
        continue;
      }
      GANKIT_CHECK_DATA(opt.skip_bad, "{} (pass " GANKIT_SETTING("skip_bad") " to skip unreadable images)", r.error);
      ++summary.skipped;
      print_note("skipped: " + plain_text(r.error));
    }
    if (good.empty()) continue;
    if (resolution == 0) {
      // R from the first good image (after the centre crop when asked).
      const cv::Mat& first = good[0]->image;
      const int s = opt.center_crop ? std::min(first.cols, first.rows) : first.cols;
      GANKIT_CHECK_DATA(opt.center_crop || first.cols == first.rows,
                        "{} is {}x{}, not square: pass " GANKIT_SETTING("center_crop") " (and " GANKIT_SETTING(
                            "resolution") " R to resize)",
                        good[0]->name, first.cols, first.rows);
      GANKIT_CHECK_DATA(
          is_power_of_two(s) && s <= kMaxPyramidResolution,
          "{} is {}x{}: the pyramid needs a power-of-two size, pass " GANKIT_SETTING("resolution") " R (at most {})",
          good[0]->name, s, s, kMaxPyramidResolution);
      resolution = s;
    }
    if (!writer) {
      PyramidWriterOptions wopt;
      wopt.compression = opt.compression;
      wopt.with_labels = summary.has_labels;
      wopt.class_names = summary.class_names;
      wopt.overwrite = opt.overwrite;
      wopt.attributes["source"] = fs::absolute(source_path).lexically_normal().string();
      wopt.attributes["importer"] = summary.format;
      wopt.attributes["split"] = opt.source.split.empty() ? "default" : opt.source.split;
      wopt.attributes["filters"] =
          fmt::format("resolution={}{} resize_filter={} center_crop={}{}{}", resolution,
                      opt.resolution ? "" : " (from first image)", opt.resize_filter, opt.center_crop ? "yes" : "no",
                      opt.limit > 0 ? fmt::format(" limit={}", opt.limit) : "",
                      source->preprocessing().empty() ? "" : " preprocessing=" + source->preprocessing());
      for (const auto& [k, v] : opt.attributes) wopt.attributes[k] = v;
      writer = std::make_unique<PyramidWriter>(out, resolution, summary.channels, wopt);
    }
    // Crop/resize in parallel; the first failure in source order is reported.
    chw.resize(good.size());
    parallel_for_ordered(static_cast<int64_t>(good.size()), [&](int64_t i) {
      const SourceRecord& r = *good[static_cast<size_t>(i)];
      cv::Mat img = fit_to_resolution(r.image, resolution, opt.resolution != 0, opt.center_crop, interpolation, r.name);
      auto& buf = chw[static_cast<size_t>(i)];
      buf.resize(static_cast<size_t>(img.channels()) * img.rows * img.cols);
      mat_to_chw(img, buf.data());
    });
    for (size_t i = 0; i < good.size() && remaining > 0; ++i) {
      writer->append(chw[i].data(), good[i]->label);
      --remaining;
      progress.add(1);
    }
  }
  progress.finish();
  GANKIT_CHECK_DATA(writer && writer->count() > 0, "no images imported from {}{}", source_path.string(),
                    summary.skipped ? fmt::format(" ({} skipped as unreadable)", summary.skipped) : "");
  writer->set_attribute("skipped", std::to_string(summary.skipped));
  summary.count = writer->count();
  summary.resolution = resolution;
  writer->commit();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace gankit
