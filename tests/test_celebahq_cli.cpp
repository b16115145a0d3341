// gan-data celebahq end to end: synthetic photos whose eyes (bright dots) sit at known landmarks,
// shifted and rotated, come out aligned (the eyes at the same output pixels) in the pyramid;
// CelebA's landmark format and CSV; one clear line for every bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "hdf5_store.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::expect_cli_error;
using test::flags;
using test::run;
using test::TempDir;

test::Command celebahq(std::initializer_list<test::Args> args) {
  return test::Command{test::gan_data(), "celebahq"}.add(args);
}

// Photo i (k = i mod 5): eyes 40 px apart with the mouth 40 px below, moved by (10 k, 5 k) and
// turned by 15 k degrees about the eyes' midpoint. Returns the landmark fields "lex ley rex rey nx ny lmx lmy rmx rmy".
std::string write_photo(const fs::path& file, int i) {
  const int k = i % 5;
  const cv::Point2d mid(110 + 10 * k, 100 + 5 * k);
  const double a = 15.0 * k * CV_PI / 180.0;
  auto at = [&](double dx, double dy) {
    return cv::Point2d(mid.x + dx * std::cos(a) - dy * std::sin(a), mid.y + dx * std::sin(a) + dy * std::cos(a));
  };
  const cv::Point2d pts[5] = {at(-20, 0), at(20, 0), at(0, 20), at(-15, 40), at(15, 40)};
  cv::Mat img(260, 260, CV_8UC3, cv::Scalar(70, 90, 110));
  cv::circle(img, pts[0], 3, cv::Scalar(255, 255, 255), cv::FILLED);
  cv::circle(img, pts[1], 3, cv::Scalar(255, 255, 255), cv::FILLED);
  cv::imwrite(file.string(), img);
  std::string fields;
  for (const auto& p : pts) fields += fmt::format(" {:.3f} {:.3f}", p.x, p.y);
  return fields;
}

struct Photos {
  TempDir dir;
  std::string lines;
  explicit Photos(int n) {
    fs::create_directories(dir / "img");
    for (int i = 0; i < n; ++i) {
      const std::string name = fmt::format("{:06}.png", i + 1);
      lines += name + write_photo(dir / "img" / name, i) + "\n";
    }
    test::write_bytes(dir / "lm.txt", fmt::format("{}\nlefteye_x lefteye_y righteye_x righteye_y nose_x nose_y "
                                                  "leftmouth_x leftmouth_y rightmouth_x rightmouth_y\n{}",
                                                  n, lines));
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

// Centroid of the bright part of a region of a CHW uint8 image's first channel.
cv::Point2d spot(const uint8_t* chw, int size, cv::Rect region) {
  double sx = 0, sy = 0, sw = 0;
  for (int y = region.y; y < region.y + region.height; ++y)
    for (int x = region.x; x < region.x + region.width; ++x) {
      const double v = chw[y * size + x] - 160.0;
      if (v > 0) sx += v * x, sy += v * y, sw += v;
    }
  return sw > 0 ? cv::Point2d(sx / sw, sy / sw) : cv::Point2d(-1, -1);
}

TEST(CelebahqCli, AlignsShiftedAndRotatedFacesIntoThePyramid) {
  Photos p(5);
  const auto r = run(celebahq({p.path("img"), p.path("lm.txt"), p.path("hq.h5"), flags("--size 64 --json -q")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"], 5);
  PyramidReader rd(p.path("hq.h5"));
  EXPECT_EQ(rd.info().resolution, 64);
  EXPECT_EQ(rd.info().resolutions.back(), 1);
  EXPECT_EQ(rd.info().attributes.at("importer"), "gan-data celebahq");
  const ImageBatch b = rd.read(64, 0, 5);
  // e2e 40, e2m 40: |x| = 80, the quad's corner at the eyes' midpoint + (-79.5, -75.5) in the face's
  // frame, so the eyes land at ((0.5 + 59.5 / 160) * 64 - 0.5 ... ): (23.3, 29.7) and (39.3, 29.7).
  for (int i = 0; i < 5; ++i) {
    const cv::Point2d l = spot(b.image(i), 64, cv::Rect(0, 0, 32, 48)),
                      rr = spot(b.image(i), 64, cv::Rect(32, 0, 32, 48));
    EXPECT_NEAR(l.x, 23.3, 0.7) << "photo " << i;
    EXPECT_NEAR(l.y, 29.7, 0.7) << "photo " << i;
    EXPECT_NEAR(rr.x, 39.3, 0.7) << "photo " << i;
    EXPECT_NEAR(rr.y, 29.7, 0.7) << "photo " << i;
  }
  // The same rows as a CSV with a header give the same pixels.
  std::string csv = "name,lex,ley,rex,rey,nx,ny,lmx,lmy,rmx,rmy\n";
  for (char ch : p.lines) csv += ch == ' ' ? ',' : ch;
  test::write_bytes(p.dir / "lm.csv", csv);
  ASSERT_EQ(run(celebahq({p.path("img"), p.path("lm.csv"), p.path("csv.h5"), flags("--size 64 -q")})).exit_code, 0);
  const ImageBatch c = PyramidReader(p.path("csv.h5")).read(64, 0, 5);
  EXPECT_EQ(std::vector<uint8_t>(c.data.begin(), c.data.end()), std::vector<uint8_t>(b.data.begin(), b.data.end()));
}

TEST(CelebahqCli, ResumeContinuesAnInterruptedRunWithoutDuplicates) {
  Photos p(20);  // two blocks of 16 faces
  const test::Command cmd = celebahq({p.path("img"), p.path("lm.txt")});
  ASSERT_EQ(run(cmd.with({p.path("straight.h5"), flags("--size 32 -q")})).exit_code, 0);
  // A photo missing in the middle stops the run; what came before is kept as OUT.h5.partial.
  fs::rename(p.dir / "img" / "000019.png", p.dir / "aside.png");
  const std::string out = p.path("hq.h5");
  expect_cli_error(run(cmd.with({out, flags("--size 32")})), 2, "000019.png (landmarks line 21) does not exist");
  EXPECT_FALSE(fs::exists(out));
  ASSERT_TRUE(fs::exists(out + ".partial"));
  fs::rename(p.dir / "aside.png", p.dir / "img" / "000019.png");
  expect_cli_error(run(cmd.with({out, flags("--size 32")})), 1, "pass --resume to continue it");
  expect_cli_error(run(cmd.with({out, flags("--size 64 --resume")})), 2, "another resolution");
  const auto r = run(cmd.with({out, flags("--size 32 --resume --json")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["resumed_at_row"], 16);
  EXPECT_NE(r.err.find("resuming at row 16 (16 faces written)"), std::string::npos) << r.err;
  EXPECT_EQ(j["images"], 20);
  EXPECT_FALSE(fs::exists(out + ".partial"));
  PyramidReader a(out), b(p.path("straight.h5"));
  ASSERT_EQ(a.count(), 20);
  EXPECT_EQ(a.info().attributes.count("resume_count"), 0u);
  for (int level : {32, 4, 1}) {
    const ImageBatch x = a.read(level, 0, 20), y = b.read(level, 0, 20);
    EXPECT_EQ(std::vector<uint8_t>(x.data.begin(), x.data.end()), std::vector<uint8_t>(y.data.begin(), y.data.end()))
        << "level " << level;
  }
}

// A crash (SIGKILL) or a stop (SIGTERM, handled like Ctrl-C) once the first checkpoint is in
// OUT.h5.partial: the resume
// writes the same file as a run that never stopped. At 1024x1024 a block of 16 faces is larger
// than the writer's 32 MiB buffer, so a stop inside a block can leave faces beyond the checkpoint
// in the file, which the resume must drop.
TEST(CelebahqCli, ResumeAfterACrashOrCtrlCWritesTheSameFile) {
  Photos p(48);
  const test::Command cmd = celebahq({p.path("img"), p.path("lm.txt")});
  ASSERT_EQ(run(cmd.with({p.path("straight.h5"), "-q"})).exit_code, 0);
  PyramidReader b(p.path("straight.h5"));
  // Stopped once the file holds half the finished one's bytes: after the checkpoint at 16 of 48
  // faces, inside the next block, whose first faces reach the file before its checkpoint.
  const auto half = fs::file_size(p.dir / "straight.h5") / 2;
  for (const auto& [sig, status] : {std::pair<int, int>{SIGKILL, 137}, {SIGTERM, 143}}) {
    const std::string out = p.path(fmt::format("hq-{}.h5", sig));
    test::Process job(cmd.with({out, "-q"}));
    test::wait_until(
        [&] {
          std::error_code ec;
          return fs::file_size(out + ".partial", ec) >= half && !ec;
        },
        10, 0.01);
    job.signal(sig);
    const auto stopped = job.wait();
    ASSERT_EQ(stopped.exit_code, status) << sig << ": " << stopped.err;
    ASSERT_TRUE(fs::exists(out + ".partial")) << sig;
    EXPECT_FALSE(fs::exists(out)) << sig;
    const auto r = run(cmd.with({out, flags("--resume --json -q")}));
    ASSERT_EQ(r.exit_code, 0) << sig << ": " << r.err;
    EXPECT_GE(nlohmann::json::parse(r.out)["resumed_at_row"].get<int>(), 16) << sig;
    PyramidReader a(out);
    ASSERT_EQ(a.count(), 48) << sig;
    for (int level : {1024, 32, 1}) {
      const ImageBatch x = a.read(level, 0, 48), y = b.read(level, 0, 48);
      EXPECT_TRUE(std::equal(x.data.begin(), x.data.end(), y.data.begin())) << sig << " level " << level;
    }
  }
}

TEST(CelebahqCli, BadInputsGiveOneClearLine) {
  Photos p(3);
  const std::string img = p.path("img"), out = p.path("x.h5");
  test::write_bytes(p.dir / "bad.txt", "000001.png 1 2 3\n");
  expect_cli_error(run(celebahq({img, p.path("bad.txt"), out})), 2, "bad.txt:1: expected NAME and 10 numbers");
  test::write_bytes(p.dir / "nan.txt", "000001.png 1 2 3 4 5 6 7 8 9 x\n");
  expect_cli_error(run(celebahq({img, p.path("nan.txt"), out})), 2, "nan.txt:1: 'x' is not a number");
  test::write_bytes(p.dir / "missing.txt", p.lines + "000099.png 80 100 120 100 100 120 85 140 115 140\n");
  expect_cli_error(run(celebahq({img, p.path("missing.txt"), out, flags("--size 32")})), 2,
                   "000099.png (landmarks line 4) does not exist");
  test::write_bytes(p.dir / "outside.txt", "000001.png 80 100 320 100 100 120 85 140 115 140\n");
  expect_cli_error(run(celebahq({img, p.path("outside.txt"), out, flags("--size 32")})), 2,
                   "landmark (320, 100) lies outside");
  expect_cli_error(run(celebahq({img, p.path("lm.txt"), out, flags("--size 48")})), 1, "--size 48");
  EXPECT_FALSE(fs::exists(out));
  // --skip-bad names and skips the missing photo and keeps the rest.
  const auto skipped = run(celebahq({img, p.path("missing.txt"), out, flags("--size 32 --skip-bad --json")}));
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_EQ(nlohmann::json::parse(skipped.out)["skipped"], 1);
  EXPECT_NE(skipped.err.find("000099.png"), std::string::npos);
  expect_cli_error(run(celebahq({img, p.path("lm.txt"), out, flags("--size 32")})), 2, "exists");
}

}  // namespace
}  // namespace gankit
