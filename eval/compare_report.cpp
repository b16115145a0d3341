#include "compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <set>

#include "atomic_output.h"
#include "error.h"
#include "hdf5_store.h"
#include "image_grid.h"
#include "image_io.h"
#include "svg_chart.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kNearestSearchLimit = 50000;  // real images searched for nearest neighbours
constexpr int kNearestQueries = 8, kNearestK = 3;

const Estimate* find_value(const CheckpointScore& c, const std::string& key) {
  auto it = c.values.find(key);
  return it == c.values.end() ? nullptr : &it->second;
}

std::string with_interval(const Estimate* e, int digits) {
  if (!e) return "-";
  if (e->n < 2) return fmt::format("{:.{}f}", e->mean, digits);
  return fmt::format("{:.{}f} ± {:.{}f}", e->mean, digits, e->half_width, digits);
}

std::string duration(double s) {
  if (s < 120) return fmt::format("{:.0f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

// Mean of the run's logged images_per_s (real images per second of training).
std::string training_rate(const RunFolder& run) {
  double sum = 0;
  int n = 0;
  for (const auto& rec : run.log)
    if (rec.contains("images_per_s") && rec["images_per_s"].is_number() && rec["images_per_s"].get<double>() > 0) {
      sum += rec["images_per_s"].get<double>();
      ++n;
    }
  return n ? fmt::format("{:.0f}", sum / n) : "-";
}

const CheckpointScore& best_of(const RunScore& r) { return r.checkpoints[static_cast<size_t>(r.best)]; }

// How each value is named and printed.
struct ValueStyle {
  const char* key;
  const char* label;
  int digits;
  const char* title;  // chart title ("" = no chart of its own)
};
constexpr ValueStyle kValueStyles[] = {
    {"swd_avg", "SWD", 2, ""},
    {"fid", "FID", 2, "FID (Frechet distance of backbone features; lower is better)"},
    {"kid", "KID", 5, "KID (kernel distance of backbone features; lower is better)"},
    {"msssim", "MS-SSIM", 4, ""},
    {"precision", "precision", 3, "Precision (share of samples on the real manifold; higher is better)"},
    {"recall", "recall", 3, "Recall (share of real images the samples cover; higher is better)"},
    {"density", "density", 3, "Density (how many real neighbourhoods hold a sample, / k)"},
    {"coverage", "coverage", 3, "Coverage (share of real neighbourhoods with a sample; higher is better)"},
};

const ValueStyle* style_of(const std::string& key) {
  for (const ValueStyle& s : kValueStyles)
    if (key == s.key) return &s;
  return nullptr;
}

int digits_of(const std::string& key) {
  const ValueStyle* s = style_of(key);
  return s ? s->digits : 2;
}

// The values shown beside the ranking one in the leaderboard (those any checkpoint has).
std::vector<std::string> side_values(const Comparison& c) {
  std::vector<std::string> out;
  for (const ValueStyle& s : kValueStyles) {
    if (s.key == c.rank_key || std::string(s.key) == "density" || std::string(s.key) == "coverage") continue;
    bool present = false;
    for (const RunScore& r : c.runs)
      for (const CheckpointScore& cs : r.checkpoints) present = present || cs.values.count(s.key);
    if (present) out.push_back(s.key);
  }
  return out;
}

// The real reference drawn as a band: at the resolution most checkpoints have.
const RealScore* reference(const Comparison& c) {
  std::map<int, int> count;
  for (const RunScore& r : c.runs)
    for (const CheckpointScore& cs : r.checkpoints) ++count[cs.resolution];
  const RealScore* best = nullptr;
  int most = 0;
  for (const auto& [res, rs] : c.real)
    if (count[res] >= most) best = &rs, most = count[res];
  return best;
}

Chart metric_chart(const Comparison& c, const std::string& key, const std::string& real_key, const std::string& title,
                   const std::string& y_label) {
  Chart chart;
  chart.id = key;
  chart.title = title;
  chart.x_label = "kimg (thousands of real images shown)";
  chart.y_label = y_label;
  for (const RunScore& r : c.runs) {
    ChartSeries s;
    s.name = r.run.name;
    for (const CheckpointScore& cs : r.checkpoints)
      if (const Estimate* e = find_value(cs, key)) s.points.push_back({cs.kimg, e->mean, e->half_width});
    chart.series.push_back(std::move(s));
  }
  if (const RealScore* rs = reference(c)) {
    auto it = rs->values.find(real_key);
    if (it != rs->values.end())
      chart.band = ChartBand{it->second.mean - it->second.half_width, it->second.mean + it->second.half_width,
                             fmt::format("real data at {}x{}: {}", rs->resolution, rs->resolution,
                                         with_interval(&it->second, digits_of(key)))};
  }
  return chart;
}

std::vector<std::string> log_keys(const Comparison& c) {
  std::vector<std::string> out;
  for (const char* k : {"loss_d", "loss_g", "wdist", "gp", "images_per_s"})
    for (const RunScore& r : c.runs)
      if (!r.run.log.empty() && r.run.log.back().contains(k)) {
        out.push_back(k);
        break;
      }
  return out;
}

Chart log_chart(const Comparison& c, const std::string& key) {
  Chart chart;
  chart.id = "log-" + key;
  chart.title = key + " (training log)";
  chart.x_label = "kimg";
  chart.y_label = key;
  chart.height = 260;
  for (const RunScore& r : c.runs) {
    ChartSeries s;
    s.name = r.run.name;
    for (const auto& rec : r.run.log)
      if (rec.contains(key) && rec[key].is_number() && rec.contains("kimg"))
        s.points.push_back({rec["kimg"].get<double>(), rec[key].get<double>(), 0});
    chart.series.push_back(std::move(s));
  }
  return chart;
}

// The first `n` images of an 8-column grid written by compare (tiles of r x r, 2-pixel borders).
ImageBatch untile(const cv::Mat& grid, int r, int n) {
  const int c = grid.channels();
  ImageBatch out(n, c, r, r);
  for (int i = 0; i < n; ++i) {
    const cv::Rect tile(2 + (i % 8) * (r + 2), 2 + (i / 8) * (r + 2), r, r);
    GANKIT_CHECK(tile.x + r <= grid.cols && tile.y + r <= grid.rows, Internal, "sample grid smaller than expected");
    mat_to_chw(grid(tile).clone(), out.image(i));
  }
  return out;
}

// Squared pixel distance of two images: integer sums, which the compiler vectorises.
int64_t distance2(const uint8_t* a, const uint8_t* b, size_t bytes) {
  int64_t total = 0;
  for (size_t start = 0; start < bytes; start += 4096) {
    int32_t part = 0;  // 4096 x 255^2 < 2^31
    const size_t end = std::min(bytes, start + 4096);
    for (size_t k = start; k < end; ++k) {
      const int32_t d = int32_t(a[k]) - int32_t(b[k]);
      part += d * d;
    }
    total += part;
  }
  return total;
}

// For each query image, the indices of its k nearest images of level r (pixel L2), searched
// over the first kNearestSearchLimit images in blocks.
std::vector<std::vector<int64_t>> nearest(const PyramidReader& real, int r, const ImageBatch& queries) {
  const int64_t total = std::min<int64_t>(real.count(), kNearestSearchLimit);
  std::vector<std::vector<std::pair<int64_t, int64_t>>> best(static_cast<size_t>(queries.n));
  const size_t bytes = queries.image_bytes();
  for (int64_t start = 0; start < total; start += 4096) {
    const ImageBatch block = real.read(r, start, std::min<int64_t>(4096, total - start));
#pragma omp parallel for schedule(static)
    for (int64_t q = 0; q < queries.n; ++q) {
      auto& list = best[static_cast<size_t>(q)];
      for (int64_t i = 0; i < block.n; ++i)
        list.emplace_back(distance2(queries.image(q), block.image(i), bytes), start + i);
      const size_t keep = std::min<size_t>(kNearestK, list.size());
      std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(keep), list.end());
      list.resize(keep);
    }
  }
  std::vector<std::vector<int64_t>> out;
  for (const auto& list : best) {
    out.emplace_back();
    for (const auto& [d, i] : list) out.back().push_back(i);
  }
  return out;
}

// images/<run>-nearest.png: rows of [sample, its 3 nearest real images]; "" when no grid.
std::string nearest_figure(const Comparison& c, const RunScore& run, size_t index, const fs::path& dir) {
  const CheckpointScore& b = best_of(run);
  if (b.grid.empty() || !fs::exists(b.grid) || b.resolution < 1) return "";
  const std::string name = fmt::format("images/run{}-nearest.png", index);
  // Cached beside the grid, per real set: a report rebuild does not search again.
  fs::path cached = b.grid;
  cached.replace_extension(fmt::format("nearest-{:016x}.png", std::hash<std::string>{}(c.real_fingerprint)));
  if (fs::exists(cached)) {
    fs::copy_file(cached, dir / name, fs::copy_options::overwrite_existing);
    return name;
  }
  PyramidReader real(c.options.real);
  const cv::Mat grid = read_image(b.grid, ColorMode::Keep);
  if (!real.has_level(b.resolution) || real.channels() != grid.channels()) return "";
  const ImageBatch samples = untile(grid, b.resolution, kNearestQueries);
  const auto nn = nearest(real, b.resolution, samples);
  ImageBatch rows(kNearestQueries * (1 + kNearestK), samples.c, b.resolution, b.resolution);
  for (int q = 0; q < kNearestQueries; ++q) {
    std::copy(samples.image(q), samples.image(q) + samples.image_bytes(), rows.image(q * (1 + kNearestK)));
    for (int k = 0; k < kNearestK && k < static_cast<int>(nn[q].size()); ++k) {
      const ImageBatch one = real.read(b.resolution, nn[q][k], 1);
      std::copy(one.image(0), one.image(0) + one.image_bytes(), rows.image(q * (1 + kNearestK) + 1 + k));
    }
  }
  write_image(cached, tile_images(rows, 1 + kNearestK));
  fs::copy_file(cached, dir / name, fs::copy_options::overwrite_existing);
  return name;
}

std::string copy_grid(const CheckpointScore& cs, const std::string& name, const fs::path& dir) {
  if (cs.grid.empty() || !fs::exists(cs.grid)) return "";
  fs::copy_file(cs.grid, dir / name, fs::copy_options::overwrite_existing);
  return name;
}

std::string results_csv(const Comparison& c) {
  std::string csv = "run,checkpoint,step,kimg,seconds,resolution,value,mean,ci95,sd,draws\n";
  for (const RunScore& r : c.runs)
    for (const CheckpointScore& cs : r.checkpoints)
      for (const auto& [k, e] : cs.values)
        csv += fmt::format("\"{}\",{},{},{},{:.1f},{},{},{:.9g},{:.9g},{:.9g},{}\n", r.run.name, cs.name, cs.step,
                           cs.kimg, cs.seconds, cs.resolution, k, e.mean, e.half_width, e.sd, e.n);
  for (const auto& [res, rs] : c.real)
    for (const auto& [k, e] : rs.values)
      csv += fmt::format("\"real\",,,,,{},{},{:.9g},{:.9g},{:.9g},{}\n", res, k, e.mean, e.half_width, e.sd, e.n);
  return csv;
}

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}
th{cursor:pointer;background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.best td{font-weight:600}tr.noise td{color:#225}tr.worse td{color:#777}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{max-width:100%;height:auto;font-size:11px}svg .grid{stroke:#eee}svg .tick,svg .axis{fill:#555}
svg .series polyline{stroke-width:1.6}svg .series .err{stroke-width:1.2}svg .band rect{fill:#888;fill-opacity:.18}
svg .band text{fill:#555}.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.grids{display:flex;flex-wrap:wrap;gap:18px}.grids figure{margin:0}.grids img{image-rendering:pixelated;max-width:320px}
code{background:#f4f4f4;padding:1px 4px}.note{color:#a40}
)";

constexpr const char* kScript = R"(
document.querySelectorAll('#leaderboard th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0], rows = [...body.rows];
  const key = r => { const t = r.cells[col].textContent, v = parseFloat(t); return isNaN(v) ? t : v; };
  const dir = th.dataset.dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (dir === 'asc' ? 1 : -1));
  rows.forEach(r => body.appendChild(r));
}));
// What the browser drew and fetched, for people and tests: points with a box on screen per chart,
// and every resource the page loaded (only its own images/ files).
window.addEventListener('load', () => {
  document.querySelectorAll('svg.chart').forEach(svg => {
    const shown = el => { const b = el.getBBox(); return b.width > 0 || b.height > 0; };
    svg.dataset.drawnSeries = [...svg.querySelectorAll('g.series')].filter(shown).length;
    svg.dataset.drawnPoints = [...svg.querySelectorAll('g.series circle')].filter(shown).length;
  });
  document.body.dataset.resources = performance.getEntriesByType('resource').map(e => e.name).join(' ');
  document.body.dataset.imagesShown = [...document.images].filter(i => i.complete && i.naturalWidth > 0).length;
});
const level = document.getElementById('swd-level');
if (level) level.addEventListener('change', () => document.querySelectorAll('.swd-level').forEach(
  f => f.hidden = f.dataset.level !== level.value));
)";

std::string leaderboard_html(const Comparison& c) {
  std::string h = "<table id=\"leaderboard\"><thead><tr>";
  const std::vector<std::string> header = leaderboard_header(c);
  for (const std::string& col : header) h += "<th>" + html_escape(col) + "</th>";
  h += "</tr></thead><tbody>\n";
  const auto rows = leaderboard_rows(c);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& verdict = c.runs[i].verdict;
    const char* cls = verdict == "best" ? "best" : verdict.starts_with("within") ? "noise" : "worse";
    h += fmt::format("<tr class=\"{}\" data-run=\"{}\">", cls, html_escape(c.runs[i].run.name));
    for (size_t k = 0; k < rows[i].size(); ++k)
      h += fmt::format("<td{}>{}</td>", k == 0 || (k >= 4 && k + 1 < header.size()) ? " class=\"num\"" : "",
                       html_escape(rows[i][k]));
    h += "</tr>\n";
  }
  return h + "</tbody></table>\n";
}

std::string swd_section(const Comparison& c) {
  std::set<std::string> levels;
  for (const RunScore& r : c.runs)
    for (const CheckpointScore& cs : r.checkpoints)
      for (const auto& [k, e] : cs.values)
        if (k.starts_with("swd_") && k != "swd_avg") levels.insert(k.substr(4));
  std::vector<std::string> sorted(levels.begin(), levels.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return std::stoi(a) > std::stoi(b); });
  std::string h =
      "<h2>SWD against training</h2>\n<p>Sliced Wasserstein distance (x10<sup>3</sup>, lower is better) "
      "of each checkpoint's samples to the real images; error bars: 95% interval over the draws. The band "
      "is the noise floor: the SWD between two disjoint sets of real images of the same size.</p>\n";
  h += "<label>Level: <select id=\"swd-level\"><option value=\"avg\">average</option>";
  for (const std::string& l : sorted) h += fmt::format("<option value=\"{}\">{}x{}</option>", l, l, l);
  h += "</select></label>\n";
  h += "<div class=\"swd-level\" data-level=\"avg\">" +
       render_chart(metric_chart(c, "swd_avg", "swd_floor_avg", "SWD, average over levels", "SWD x 1e3")) + "</div>\n";
  for (const std::string& l : sorted)
    h += fmt::format("<div class=\"swd-level\" data-level=\"{}\" hidden>", l) +
         render_chart(metric_chart(c, "swd_" + l, "swd_floor_" + l, fmt::format("SWD at {}x{}", l, l), "SWD x 1e3")) +
         "</div>\n";
  return h;
}

std::string samples_section(const Comparison& c, const fs::path& dir) {
  std::string h = "<h2>Samples</h2>\n<p>The first 64 images of draw 0 (seed " + std::to_string(c.options.seed) +
                  ") at each run's best and latest checkpoint; the nearest-neighbour rows show 8 samples of the best "
                  "checkpoint, each followed by its 3 nearest real images (pixel L2, among the first " +
                  std::to_string(kNearestSearchLimit) + "): copies of training images would show here.</p>\n";
  for (size_t i = 0; i < c.runs.size(); ++i) {
    const RunScore& r = c.runs[i];
    const CheckpointScore& best = best_of(r);
    const CheckpointScore& latest = r.checkpoints.back();
    h += "<h3>" + html_escape(r.run.name) + "</h3><div class=\"grids\">";
    const std::string b = copy_grid(best, fmt::format("images/run{}-best.png", i), dir);
    const std::string l = &best == &latest ? b : copy_grid(latest, fmt::format("images/run{}-latest.png", i), dir);
    const std::string nn = nearest_figure(c, r, i, dir);
    if (!b.empty())
      h += fmt::format(
          "<figure><figcaption>best: {} ({:.1f} kimg)</figcaption><img src=\"{}\" alt=\"samples\"></figure>",
          html_escape(best.name), best.kimg, b);
    if (!l.empty() && &best != &latest)
      h += fmt::format(
          "<figure><figcaption>latest: {} ({:.1f} kimg)</figcaption><img src=\"{}\" alt=\"samples\"></figure>",
          html_escape(latest.name), latest.kimg, l);
    if (!nn.empty())
      h += fmt::format("<figure><figcaption>nearest real images</figcaption><img src=\"{}\" alt=\"nearest\"></figure>",
                       nn);
    if (b.empty()) h += "<p class=\"note\">no sample grid (the cache is off: --cache-dir)</p>";
    h += "</div>\n";
    for (const std::string& note : r.notes) h += "<p class=\"note\">" + html_escape(note) + "</p>\n";
  }
  return h;
}

}  // namespace

std::vector<std::string> leaderboard_header(const Comparison& c) {
  const ValueStyle* rank = style_of(c.rank_key);
  std::vector<std::string> h = {
      "#", "run", "differs in", "size", fmt::format("best {}", rank ? rank->label : "(unranked)"), "at kimg"};
  for (const std::string& k : side_values(c)) h.push_back(fmt::format("{} there", style_of(k)->label));
  for (const char* k : {"time to best", "img/s", "verdict"}) h.push_back(k);
  return h;
}

std::vector<std::vector<std::string>> leaderboard_rows(const Comparison& c) {
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < c.runs.size(); ++i) {
    const RunScore& r = c.runs[i];
    const CheckpointScore& b = best_of(r);
    std::string settings = describe_settings(r.run, c.differing);
    std::vector<std::string> row = {std::to_string(i + 1),
                                    r.run.name,
                                    settings.empty() ? "-" : settings,
                                    fmt::format("{}x{}", b.resolution, b.resolution),
                                    with_interval(find_value(b, c.rank_key), digits_of(c.rank_key)),
                                    fmt::format("{:.1f}", b.kimg)};
    for (const std::string& k : side_values(c)) row.push_back(with_interval(find_value(b, k), digits_of(k)));
    for (std::string v : {duration(b.seconds), training_rate(r.run), r.verdict}) row.push_back(std::move(v));
    rows.push_back(std::move(row));
  }
  return rows;
}

// FID, KID, precision, recall, density, coverage against kimg, each with its real-data floor.
std::string feature_section(const Comparison& c) {
  std::string h;
  for (const ValueStyle& s : kValueStyles) {
    if (!*s.title) continue;
    bool present = false;
    for (const RunScore& r : c.runs)
      for (const CheckpointScore& cs : r.checkpoints) present = present || cs.values.count(s.key);
    if (present) h += render_chart(metric_chart(c, s.key, std::string("floor_") + s.key, s.title, s.label));
  }
  if (h.empty()) return h;
  return fmt::format(
             "<h2>Feature metrics against training</h2>\n<p>Backbone: <code>{}</code>. Error bars: 95% interval over "
             "the draws. The band is the noise floor: the same metric between two disjoint sets of real images of "
             "the same size (precision/recall use k = 3, density/coverage k = 5).</p>\n",
             html_escape(c.backbone)) +
         h;
}

void write_compare_report(const Comparison& c, const fs::path& dir, const std::string& command) {
  fs::create_directories(dir / "images");
  write_file_atomic(dir / "summary.json", to_json(c).dump(2) + "\n");
  write_file_atomic(dir / "results.csv", results_csv(c));
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
      "<title>gankit compare</title><style>";
  h += kStyle;
  h += "</style></head><body>\n<h1>GAN runs compared</h1>\n";
  h += fmt::format(
      "<p>Real images: <code>{}</code> ({}). {} images per draw, {} draw(s) per checkpoint, seed {}. "
      "Made {} by gankit {}: <code>{}</code></p>\n",
      html_escape(c.options.real.string()), html_escape(c.real_fingerprint), c.options.num_images, c.options.repeats,
      c.options.seed, when, tool_version(), html_escape(command));
  const ValueStyle* rank = style_of(c.rank_key);
  h += fmt::format("<h2>Leaderboard</h2>\n<p>Runs ranked by their best checkpoint's {}. ",
                   rank ? rank->label : "(no ranking metric measured)");
  h += "<em>within noise of the best</em>: "
       "Welch's test over the draws cannot tell it from the best at 95%; <em>worse than the best</em>: it can. "
       "Click a column to sort.</p>\n";
  h += leaderboard_html(c);
  if (std::find(c.options.metrics.begin(), c.options.metrics.end(), "swd") != c.options.metrics.end())
    h += swd_section(c);
  h += feature_section(c);
  if (std::find(c.options.metrics.begin(), c.options.metrics.end(), "msssim") != c.options.metrics.end())
    h += "<h2>MS-SSIM against training</h2>\n<p>Mean MS-SSIM of pairs of samples: lower is more diverse; a run far "
         "above the real images' value (the band) is collapsing.</p>\n" +
         render_chart(metric_chart(c, "msssim", "msssim", "MS-SSIM of samples", "MS-SSIM"));
  const auto keys = log_keys(c);
  if (!keys.empty()) {
    h += "<h2>Training curves</h2>\n";
    for (const std::string& k : keys) h += render_chart(log_chart(c, k));
  }
  h += samples_section(c, dir);
  h += "<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  write_file_atomic(dir / "index.html", h);
}

}  // namespace gankit
