// gan-eval compare REAL.h5 RUN_DIR... --out REPORT_DIR
#include <fmt/format.h>

#include <cstdlib>

#include "atomic_output.h"
#include "cli.h"
#include "compare.h"
#include "compare_report.h"
#include "error.h"
#include "gan_eval_commands.h"
#include "report.h"
#include "swd_torch.h"

namespace gankit::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string command_line(const std::string& prog, const std::vector<std::string>& args) {
  std::string out = prog;
  for (const std::string& a : args) out += " " + a;
  return out;
}

}  // namespace

int eval_compare(const std::string& prog, const std::vector<std::string>& args) {
  CommonFlags common;
  CompareOptions opt;
  std::string real, out, metrics, cache, resize;
  std::vector<std::string> runs;
  bool overwrite = false;
  po::options_description desc("Options");
  desc.add_options()("real", po::value(&real)->required(), "the real images: an HDF5 pyramid (gan-data import)")(
      "runs", po::value(&runs)->multitoken()->required(), "gan-train run folders (or checkpoint files)")(
      "out", po::value(&out)->required(), "the report folder (index.html, results.csv, summary.json, images/)")(
      "num-images", defaulted(&opt.num_images),
      "images per draw (the real set needs as many; "
      "twice as many for the noise floors)")("metrics", po::value(&metrics)->default_value("swd,msssim"),
                                             "comma-separated: swd, msssim, fid, kid, prdc (the last three need "
                                             "--backbone)")(
      "backbone", po::value(&opt.backbone.name),
      "the feature network of fid, kid, prdc: FILE.pt (TorchScript, e.g. from scripts/export-inception.py) or "
      "d:RUN (a DCGAN discriminator)")("backbone-size", defaulted(&opt.backbone.size),
                                       "the network's input size (default: its input_size attribute)")(
      "resize", po::value(&resize)->default_value("clean"),
      "how images reach the backbone's size: clean, legacy-pytorch or legacy-tf")(
      "rank-by", defaulted(&opt.rank_by), "swd, fid or kid (default: the first of them in --metrics)")(
      "checkpoints", defaulted(&opt.checkpoints),
      "all = every kept checkpoint (step_*.pt, phase*.pt, latest.pt unless a copy); latest = latest.pt only; "
      "best = one draw of every checkpoint, then --repeats draws of each run's best")(
      "repeats", defaulted(&opt.repeats),
      "independent draws per checkpoint (latent and SWD seed "
      "S, S+1, ...): reported as mean +- 95% interval")("seed", defaulted(&opt.seed), "seed S of draw 0")(
      "cache-dir",
      po::value(&cache)->default_value(default_compare_cache_dir().empty() ? std::string("none")
                                                                           : default_compare_cache_dir().string()),
      "real-set statistics and sample grids kept between calls; none = no cache")(
      "skip-bad", po::bool_switch(&opt.skip_bad), "name an unreadable checkpoint and measure the rest")(
      "overwrite", po::bool_switch(&overwrite), "replace REPORT_DIR if it holds an earlier report");
  add_compute_options(desc, &opt.device, &opt.threads, "where the generators run");
  add_common(desc, common, true);
  po::positional_options_description pos;
  pos.add("real", 1).add("runs", -1);
  po::variables_map vm;
  const std::string usage = fmt::format(
      "Usage: {} REAL.h5 RUN_DIR... --out REPORT_DIR [options]\n\n"
      "Measures every kept checkpoint of each gan-train run against REAL (SWD with the real-data noise floor,\n"
      "MS-SSIM of the samples beside the real images'; FID, KID, precision/recall/density/coverage through\n"
      "--backbone), with --repeats independent draws, and ranks the runs by their best checkpoint (--rank-by),\n"
      "saying which are within noise of the best (Welch's test at 95%). Results are\n"
      "appended to RUN_DIR/metrics.jsonl as they are measured: a later call measures only new checkpoints.\n"
      "Draw r is what 'gan-train sample --seed S+r --num N' then 'gan-eval swd REAL fake --num-images N --seed\n"
      "S+r' give. The report folder appears only when complete.",
      prog);
  if (!parse(usage, args, desc, pos, vm)) return 0;
  GANKIT_CHECK_USAGE(opt.threads >= 0, "--threads {} must be positive", opt.threads);
  if (opt.device != "cpu")
    GANKIT_CHECK_USAGE(swd_device_available(opt.device), "--device {}: no such CUDA device here (use --device cpu)",
                       opt.device);
  opt.real = real;
  for (const std::string& r : runs) opt.runs.emplace_back(r);
  opt.metrics = split_list(metrics);
  GANKIT_CHECK_USAGE(is_resize_mode(resize), "--resize {}: use clean, legacy-pytorch or legacy-tf", resize);
  opt.backbone.resize = parse_resize_mode(resize);
  opt.backbone.device = opt.device;
  opt.backbone.threads = opt.threads;
  opt.cache_dir = cache == "none" ? std::filesystem::path() : std::filesystem::path(cache);
  opt.progress = common.progress_options();
  AtomicOutput report(out, overwrite, AtomicOutput::Kind::ReportFolder);  // refused before any work
  const Comparison c = compare_runs(opt);
  write_compare_report(c, report.temp_path(), command_line(prog, args));
  report.commit();
  nlohmann::json j = to_json(c);
  j["report"] = out;
  Table t(leaderboard_header(c));
  for (auto& row : leaderboard_rows(c)) {
    if (row[2].size() > 48) row[2] = row[2].substr(0, 45) + "...";  // all of it in the report and --json
    t.add_row(std::move(row));
  }
  if (!common.json) {
    std::fputs(t.to_string().c_str(), stdout);
    std::printf("\nreport: %s/index.html (%d draws measured, %d from metrics.jsonl, %.1f s)\n", out.c_str(), c.measured,
                c.reused, c.seconds);
    return 0;
  }
  emit(j, t, true);
  return 0;
}

}  // namespace gankit::cli
