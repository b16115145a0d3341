// gan-eval compare end to end: tiny gan-train runs measured against a tiny real set. Every number
// must be what gan-train sample + gan-eval swd / msssim print for the same draw; results are
// appended to metrics.jsonl and reused; the report holds the charts with the expected series;
// bad inputs fail with one line and leave no report.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>

#include "fixtures.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::expect_cli_error;
using test::flags;
using test::gan_eval;
using test::gan_train;
using test::run;
using test::TempDir;

// 40 gray 32x32 real images and two 4-step runs (gan, lsgan) keeping steps 0, 2, 4.
struct Runs {
  TempDir dir;
  Runs() {
    test::write_pyramid(dir / "real.h5", 40, 1, 32);
    for (const char* loss : {"gan", "lsgan"}) train(std::string("run-") + loss, loss, 4);
  }
  void train(const std::string& name, const std::string& loss, int steps) const {
    const auto r = run({gan_train(), "--data", p("real.h5"), "--out", p(name), "--loss", loss,
                        flags("--ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 --steps"), steps,
                        flags("--checkpoint-every 2 --keep-every 2 --log-every 1 -q")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string p(const std::string& name) const { return (dir / name).string(); }
  // compare with the test's cache and small draws.
  test::Command compare_command(const test::Command& runs, int num = 16, int repeats = 2) const {
    return {gan_eval(),
            "compare",
            p("real.h5"),
            runs,
            "--out",
            p("report"),
            "--num-images",
            num,
            "--repeats",
            repeats,
            flags("--threads 1 -q --cache-dir"),
            p("cache")};
  }
  test::RunResult compare(const test::Command& runs, const test::Command& extra = {}, int num = 16,
                          int repeats = 2) const {
    return run(compare_command(runs, num, repeats).with({extra}));
  }
};

size_t lines(const fs::path& file) {
  const std::string text = test::read_bytes(file);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(CompareCli, MeasuresEveryCheckpointAsTheSingleCommandsDo) {
  Runs f;
  auto r = f.compare({f.p("run-gan"), f.p("run-lsgan")}, {flags("--json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["differing_settings"], nlohmann::json::array({"loss"}));
  EXPECT_EQ(j["measured"], 12);  // 2 runs x 3 checkpoints (latest.pt is a copy of step 4) x 2 draws
  EXPECT_EQ(j["reused"], 0);
  const fs::path metrics = f.dir / "run-gan/metrics.jsonl";
  EXPECT_EQ(lines(metrics), 12u);  // 3 checkpoints x 2 draws x 2 metrics
  // Draw 1 (seed 2) of step 4 of run-gan, by the single commands.
  nlohmann::json step4;
  for (const auto& run_json : j["runs"])
    if (run_json["run"] == "run-gan")
      for (const auto& c : run_json["checkpoints"])
        if (c["checkpoint"] == "checkpoints/step_000004.pt") step4 = c;
  ASSERT_FALSE(step4.is_null());
  EXPECT_EQ(step4["step"], 4);
  EXPECT_EQ(step4["values"]["swd_avg"]["n"], 2);
  ASSERT_EQ(run({gan_train(), "sample", f.p("run-gan/checkpoints/step_000004.pt"), flags("--num 16 --seed 2 --out"),
                 f.p("fake.npy"), flags("--threads 1 -q")})
                .exit_code,
            0);
  auto swd = run({gan_eval(), "swd", f.p("real.h5"), f.p("fake.npy"), flags("--num-images 16 --seed 2 --json -q")});
  ASSERT_EQ(swd.exit_code, 0) << swd.err;
  auto ms = run({gan_eval(), "msssim", f.p("fake.npy"), flags("--json -q")});
  ASSERT_EQ(ms.exit_code, 0) << ms.err;
  const double single_swd = nlohmann::json::parse(swd.out)["swd"]["avg"].get<double>();
  const double single_ms = nlohmann::json::parse(ms.out)["msssim"].get<double>();
  bool found_swd = false, found_ms = false;
  for (const auto& rec : test::read_jsonl(metrics)) {
    if (rec["checkpoint"] != "checkpoints/step_000004.pt" || rec["draw_seed"] != 2) continue;
    if (rec["metric"] == "swd") {
      found_swd = true;
      EXPECT_DOUBLE_EQ(rec["values"]["avg"].get<double>(), single_swd);
    }
    if (rec["metric"] == "msssim") {
      found_ms = true;
      EXPECT_DOUBLE_EQ(rec["values"]["msssim"].get<double>(), single_ms);
    }
  }
  EXPECT_TRUE(found_swd && found_ms);
  // The real-data references: the noise floor (real[0,16) vs real[16,32)) and the real MS-SSIM.
  const auto& real = j["real_reference"]["32"];
  EXPECT_EQ(real["swd_floor_avg"]["n"], 2);
  EXPECT_GT(real["swd_floor_avg"]["mean"].get<double>(), 0);
  auto real_ms = run({gan_eval(), "msssim", f.p("real.h5"), flags("--num-pairs 8 --json -q")});
  EXPECT_NEAR(real["msssim"]["mean"].get<double>(), nlohmann::json::parse(real_ms.out)["msssim"].get<double>(), 1e-12);
}

TEST(CompareCli, ReusesMetricsAndMeasuresOnlyNewCheckpoints) {
  Runs f;
  const test::Command runs = {f.p("run-gan"), f.p("run-lsgan")};
  ASSERT_EQ(f.compare(runs).exit_code, 0);
  const std::string before = test::read_bytes(f.dir / "run-gan/metrics.jsonl");
  auto r = f.compare(runs, {flags("--overwrite --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["measured"], 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["reused"], 12);
  EXPECT_EQ(test::read_bytes(f.dir / "run-gan/metrics.jsonl"), before);
  // Two more steps of run-gan: only its step 6 is new.
  ASSERT_EQ(run({gan_train(), "--out", f.p("run-gan"), flags("--resume --steps 6 --threads 1 -q")}).exit_code, 0);
  r = f.compare(runs, {flags("--overwrite --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["measured"], 2);
  EXPECT_EQ(j["reused"], 12);
  EXPECT_EQ(lines(f.dir / "run-gan/metrics.jsonl"), 16u);
  EXPECT_EQ(test::read_bytes(f.dir / "run-lsgan/metrics.jsonl").size() > 0, true);
}

TEST(CompareCli, AKilledCompareLosesAtMostTheDrawInProgress) {
  Runs f;
  const test::Command cmd = f.compare_command({f.p("run-gan"), f.p("run-lsgan")});
  // SIGKILL as soon as two records are on disk (no handler runs: the hardest interruption).
  test::Process job(cmd);
  test::wait_until(
      [&] { return fs::exists(f.dir / "run-gan/metrics.jsonl") && lines(f.dir / "run-gan/metrics.jsonl") >= 2; }, 60,
      0.05);
  job.signal(SIGKILL);
  const auto killed = job.wait();
  ASSERT_EQ(killed.exit_code, 137) << killed.err;  // it was killed, not finished
  EXPECT_FALSE(fs::exists(f.dir / "report"));
  auto r = run(cmd.with({"--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["reused"].get<int>(), 1);
  EXPECT_EQ(j["measured"].get<int>() + j["reused"].get<int>(), 12);
  EXPECT_EQ(lines(f.dir / "run-gan/metrics.jsonl"), 12u);  // nothing measured twice, nothing torn
  EXPECT_EQ(test::leftover_temporaries(f.dir.path()), std::vector<std::string>{});
}

TEST(CompareCli, ReportHoldsTheLeaderboardChartsAndImages) {
  Runs f;
  auto r = f.compare({f.p("run-gan"), f.p("run-lsgan")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("run-gan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("loss=lsgan"), std::string::npos) << r.out;
  const std::string html = test::read_bytes(f.dir / "report/index.html");
  EXPECT_NE(html.find("<table id=\"leaderboard\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"swd_avg\" data-series=\"2\""), std::string::npos);
  EXPECT_NE(html.find("id=\"swd_32\" data-series=\"2\""), std::string::npos);
  EXPECT_NE(html.find("id=\"msssim\" data-series=\"2\""), std::string::npos);
  EXPECT_NE(html.find("id=\"log-loss_d\" data-series=\"2\""), std::string::npos);
  EXPECT_NE(html.find("class=\"band\""), std::string::npos);  // the noise floor
  // Each run: 3 checkpoints on the metric charts, 4 log records on the training curves.
  const std::regex series("data-name=\"run-(gan|lsgan)\" data-points=\"(\\d+)\"");
  std::map<std::string, int> points_per_count;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), series); it != std::sregex_iterator(); ++it)
    ++points_per_count[(*it)[2]];
  EXPECT_EQ(points_per_count["3"], 2 * 4);                                   // swd_avg, swd_32, swd_16, msssim
  EXPECT_EQ(points_per_count["4"], 2 * 3);                                   // loss_d, loss_g, images_per_s
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no other address
  EXPECT_EQ(html.find("https://"), std::string::npos);
  for (const char* name :
       {"results.csv", "summary.json", "images/run0-best.png", "images/run0-nearest.png", "images/run1-best.png"})
    EXPECT_TRUE(fs::exists(f.dir / "report" / name)) << name;
  EXPECT_EQ(lines(f.dir / "report/results.csv"), 1u + 2 * 3 * 4 + 4);  // header, run x ckpt x value, real values
}

// The attribute `name` of the first tag matching `tag_pattern` in `html`, or "".
std::string attribute(const std::string& html, const std::string& tag_pattern, const std::string& name) {
  std::smatch tag;
  const std::regex tag_re(tag_pattern), value_re(name + "=\"([^\"]*)\"");
  if (!std::regex_search(html, tag, tag_re)) return "";
  std::smatch value;
  const std::string text = tag.str();
  if (!std::regex_search(text, value, value_re)) return "";
  return value[1];
}

// In Debian's chromium, headless (a test-only dependency that scripts/test.sh installs): the page
// draws every series and point of the visible charts, shows every image, fetches nothing over
// the network (the page's resource timing lists any http(s) request, even a blocked one).
TEST(CompareCli, ReportRendersInABrowserWithoutNetwork) {
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed (scripts/test.sh installs it)";
  Runs f;
  ASSERT_EQ(f.compare({f.p("run-gan"), f.p("run-lsgan")}).exit_code, 0);
  const auto r = run({flags("timeout 90 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run "
                            "--disable-background-networking --virtual-time-budget=5000 --dump-dom"),
                      "file://" + f.p("report/index.html")});
  ASSERT_EQ(r.exit_code, 0);
  const std::string& dom = r.out;
  for (const auto& [id, points] : std::vector<std::pair<std::string, std::string>>{
           {"swd_avg", "6"}, {"msssim", "6"}, {"log-loss_d", "8"}, {"log-images_per_s", "8"}}) {
    const std::string tag = "<svg[^>]*id=\"" + id + "\"[^>]*>";
    EXPECT_EQ(attribute(dom, tag, "data-drawn-series"), "2") << id;
    EXPECT_EQ(attribute(dom, tag, "data-drawn-points"), points) << id;
  }
  EXPECT_EQ(attribute(dom, "<svg[^>]*id=\"swd_16\"[^>]*>", "data-drawn-points"), "0");  // hidden level
  EXPECT_EQ(attribute(dom, "<body[^>]*>", "data-resources"), "");
  const std::string html = test::read_bytes(f.dir / "report/index.html");
  const std::regex img("<img ");
  const auto images = std::distance(std::sregex_iterator(html.begin(), html.end(), img), std::sregex_iterator());
  EXPECT_GE(images, 4);
  EXPECT_EQ(attribute(dom, "<body[^>]*>", "data-images-shown"), std::to_string(images));
}

TEST(CompareCli, TrainingWithEvalEveryFeedsCompare) {
  Runs f;
  // The measurements' cache goes to $XDG_CACHE_HOME/gankit: kept inside the test's folder.
  const test::RunOptions xdg{.env = {{"XDG_CACHE_HOME", f.p("xdg")}}};
  const test::Command train = {
      gan_train(),    "--data",
      f.p("real.h5"), "--out",
      f.p("watched"), flags("--ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 --steps 4 --keep-every 0 -q")};
  auto r = run(train.with({flags("--eval-every 2 --eval-num 16 --eval-real"), f.p("real.h5")}), xdg);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(f.dir / "watched/metrics.jsonl"), 6u);  // steps 0, 2, 4 x swd, msssim
  for (const char* kept : {"step_000000.pt", "step_000002.pt", "step_000004.pt"})
    EXPECT_TRUE(fs::exists(f.dir / "watched/checkpoints" / kept)) << kept;
  r = f.compare({f.p("watched")}, {flags("--json")}, 16, 1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["measured"], 0);  // all three measured while training
  EXPECT_EQ(nlohmann::json::parse(r.out)["reused"], 3);
  // Bad settings stop before training starts.
  expect_cli_error(run(train.with({flags("--eval-every 2")}), xdg), 1, "--eval-every needs --eval-real");
  expect_cli_error(run({gan_train(), "--data", f.p("real.h5"), "--out", f.p("w2"), "--eval-real", f.p("real.h5"),
                        flags("--steps 2 --eval-every 2 --eval-num 100 -q")},
                       xdg),
                   2, "fewer than --eval-num 100");
  EXPECT_FALSE(fs::exists(f.dir / "w2"));
}

TEST(CompareCli, BestSpendsTheRepeatsOnEachRunsBestCheckpoint) {
  Runs f;
  auto r = f.compare({f.p("run-gan")}, {flags("--checkpoints best --json")}, 16, 3);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  int with_three = 0;
  for (const auto& c : j["runs"][0]["checkpoints"]) with_three += c["values"]["swd_avg"]["n"] == 3;
  EXPECT_EQ(with_three, 1);
  EXPECT_EQ(j["measured"], 3 + 2);
  r = f.compare({f.p("run-gan")}, {flags("--checkpoints latest --json --overwrite")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["runs"][0]["checkpoints"].size(), 1u);
}

TEST(CompareCli, FeatureMetricsEqualTheSingleCommandsAndRankByFid) {
  // A discriminator backbone (d:RUN) needs no download: FID, KID and PRDC of draw 1 (seed 2) of
  // step 4 equal gan-train sample + gan-eval fid / kid / prdc on the first 16 real images.
  Runs f;
  const std::string backbone = "d:" + f.p("run-lsgan");
  auto r = f.compare({f.p("run-gan"), f.p("run-lsgan")},
                     {flags("--json --metrics fid,kid,prdc,swd --rank-by fid --backbone"), backbone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rank_by"], "fid");
  EXPECT_NE(j["backbone"].get<std::string>().find("fnv1a64:"), std::string::npos);
  // Ranked by the best checkpoints' mean FID.
  auto best_fid = [&](const nlohmann::json& run_json) {
    for (const auto& c : run_json["checkpoints"])
      if (c["checkpoint"] == run_json["best"]) return c["values"]["fid"]["mean"].get<double>();
    return -1.0;
  };
  EXPECT_LE(best_fid(j["runs"][0]), best_fid(j["runs"][1]));
  ASSERT_EQ(run({gan_train(), "sample", f.p("run-gan/checkpoints/step_000004.pt"), flags("--num 16 --seed 2 --out"),
                 f.p("fake.npy"), flags("--threads 1 -q")})
                .exit_code,
            0);
  std::map<std::string, nlohmann::json> single;
  for (const char* m : {"fid", "kid --subset-size 16 --seed 2", "prdc"}) {
    auto s = run({gan_eval(), flags(m), f.p("real.h5"), f.p("fake.npy"), flags("--num-images 16 --backbone"), backbone,
                  flags("--json -q")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    single[std::string(m).substr(0, std::string(m).find(' '))] = nlohmann::json::parse(s.out);
  }
  int found = 0;
  for (const auto& rec : test::read_jsonl(f.dir / "run-gan/metrics.jsonl")) {
    if (rec["checkpoint"] != "checkpoints/step_000004.pt" || rec["draw_seed"] != 2) continue;
    const std::string m = rec["metric"];
    if (!single.count(m)) continue;
    ++found;
    EXPECT_EQ(rec["backbone"].get<std::string>().substr(0, 8), "fnv1a64:");
    for (const auto& [k, v] : rec["values"].items()) EXPECT_DOUBLE_EQ(v.get<double>(), single[m][k].get<double>()) << k;
  }
  EXPECT_EQ(found, 3);
  // The noise floors: real [0, 16) against [16, 32).
  const auto& real = j["real_reference"]["32"];
  for (const char* k : {"floor_fid", "floor_kid", "floor_precision", "floor_coverage"})
    EXPECT_TRUE(real.contains(k)) << k;
  // A second call reuses everything, including the cached real features.
  r = f.compare({f.p("run-gan"), f.p("run-lsgan")},
                {flags("--json --overwrite --metrics fid,kid,prdc,swd --rank-by fid --backbone"), backbone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["measured"], 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["real_reference"], j["real_reference"]);
  // The report shows the feature charts with their floors.
  const std::string page = test::read_bytes(f.dir / "report/index.html");
  EXPECT_NE(page.find("Feature metrics against training"), std::string::npos);
  EXPECT_NE(page.find("best FID"), std::string::npos);
  expect_cli_error(f.compare({f.p("run-gan")}, {flags("--metrics fid --overwrite")}), 1,
                   "--metrics fid needs --backbone");
  expect_cli_error(f.compare({f.p("run-gan")}, {flags("--metrics swd --rank-by fid --overwrite")}), 1,
                   "--rank-by fid: rank by swd, fid or kid, and measure it");
}

TEST(CompareCli, BadInputsFailWithOneLineAndNoReport) {
  Runs f;
  const std::string good = f.p("run-gan");
  fs::create_directories(f.dir / "not-a-run");
  expect_cli_error(f.compare({f.p("not-a-run")}), 2, "is not a gan-train run folder");
  fs::create_directories(f.dir / "empty-run");
  test::write_bytes(f.dir / "empty-run/config.json", "{}");
  expect_cli_error(f.compare({f.p("empty-run")}), 2, "has no checkpoint yet");
  expect_cli_error(f.compare({good, good}), 1, "are the same run");
  // REAL without the level, or with other channels.
  test::write_pyramid(f.dir / "small.h5", 40, 1, 16);
  expect_cli_error(run({gan_eval(), "compare", f.p("small.h5"), good, "--out", f.p("report"),
                        flags("--num-images 16 --repeats 1 --cache-dir none -q")}),
                   2, "has no 32x32 level");
  test::write_pyramid(f.dir / "rgb.h5", 40, 3, 32);
  expect_cli_error(run({gan_eval(), "compare", f.p("rgb.h5"), good, "--out", f.p("report"),
                        flags("--num-images 16 --repeats 1 --cache-dir none -q")}),
                   2, "makes 1-channel images but");
  expect_cli_error(f.compare({good}, {}, 64), 1, "fewer than --num-images 64");
  EXPECT_FALSE(fs::exists(f.dir / "report"));
  // A truncated checkpoint is named; --skip-bad measures the rest and says what it left out.
  const fs::path ckpt = f.dir / "run-lsgan/checkpoints/step_000002.pt";
  const std::string bytes = test::read_bytes(ckpt);
  test::write_bytes(ckpt, bytes.substr(0, bytes.size() / 2));
  expect_cli_error(f.compare({f.p("run-lsgan")}), 2, "step_000002.pt");
  EXPECT_FALSE(fs::exists(f.dir / "report"));
  auto r = f.compare({f.p("run-lsgan")}, {flags("--skip-bad --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("step_000002.pt"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["runs"][0]["checkpoints"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["notes"].size(), 1u);
  // The report exists now: not replaced without --overwrite, and --overwrite replaces only a report.
  expect_cli_error(f.compare({good}), 2, "exists (pass --overwrite");
  fs::create_directories(f.dir / "mine");
  test::write_bytes(f.dir / "mine/notes.txt", "keep");
  expect_cli_error(
      run({gan_eval(), "compare", f.p("real.h5"), good, "--out", f.p("mine"), flags("--num-images 16 --overwrite -q")}),
      2, "notes.txt");
  EXPECT_EQ(test::read_bytes(f.dir / "mine/notes.txt"), "keep");
  // A malformed metrics.jsonl line is named with its number, never dropped.
  std::string metrics = test::read_bytes(f.dir / "run-lsgan/metrics.jsonl");
  const size_t second = metrics.find('\n') + 1;
  metrics.insert(second, "{\"checkpoint\": oops}\n");
  test::write_bytes(f.dir / "run-lsgan/metrics.jsonl", metrics);
  expect_cli_error(f.compare({f.p("run-lsgan")}, {flags("--skip-bad --overwrite")}), 2,
                   "metrics.jsonl line 2: not valid JSON");
}

}  // namespace
}  // namespace gankit
