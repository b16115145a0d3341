// The pieces of gan-eval compare: the 95% intervals and Welch's test (golden values from the
// Student-t quantiles), metrics.jsonl reading and appending (malformed lines named, a torn last
// line cut off), and the charts' series markup.
#include <gtest/gtest.h>

#include <vector>

#include "error.h"
#include "estimate.h"
#include "jsonl.h"
#include "svg_chart.h"
#include "test_util.h"

namespace gankit {
namespace {

TEST(Estimate, MeanAndStudentTInterval) {
  const std::vector<double> v = {1, 2, 3};
  const Estimate e = estimate(v);
  EXPECT_EQ(e.n, 3);
  EXPECT_DOUBLE_EQ(e.mean, 2);
  EXPECT_DOUBLE_EQ(e.sd, 1);
  // t(0.975, 2 dof) from scipy.stats.t.ppf; Boost.Math agrees to ~4e-11.
  EXPECT_NEAR(e.half_width, 4.302652729911275 / std::sqrt(3.0), 1e-9);
  const std::vector<double> one = {5};
  EXPECT_EQ(estimate(one).half_width, 0);
  EXPECT_EQ(estimate(one).mean, 5);
}

TEST(Estimate, WelchTellsDifferencesFromNoise) {
  const std::vector<double> a = {1, 2, 3}, b = {4, 5, 6}, c = {2, 3, 4}, d = {7};
  // a vs b: difference 3, standard error sqrt(2/3), 4 dof: t = 2.776445 -> bound 2.2670 < 3.
  EXPECT_FALSE(within_noise(estimate(a), estimate(b)));
  EXPECT_TRUE(within_noise(estimate(a), estimate(c)));   // difference 1 < 2.2670
  EXPECT_FALSE(within_noise(estimate(a), estimate(d)));  // one draw: nothing can be said
  const std::vector<double> same = {2, 2}, other = {2, 2};
  EXPECT_TRUE(within_noise(estimate(same), estimate(other)));
}

TEST(Jsonl, MalformedLinesAreNamedAndTornTailsCut) {
  test::TempDir t;
  const auto path = t / "m.jsonl";
  append_jsonl(path, {{"a", 1}});
  append_jsonl(path, {{"a", 2}});
  EXPECT_EQ(read_jsonl(path).size(), 2u);
  // A writer killed mid-line: the torn record is ignored, and the next append starts clean.
  test::write_bytes(path, test::read_bytes(path) + "{\"a\": 3, \"b");
  EXPECT_EQ(read_jsonl(path).size(), 2u);
  append_jsonl(path, {{"a", 4}});
  const auto records = read_jsonl(path, false);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2]["a"], 4);
  // A bad line in the middle is an error naming its number.
  test::write_bytes(path, "{\"a\": 1}\n[1, 2]\n{\"a\": 2}\n");
  try {
    read_jsonl(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.jsonl line 2: not a JSON object"), std::string::npos) << e.what();
  }
}

TEST(SvgChart, SeriesMarkupAndEscaping) {
  Chart c;
  c.id = "swd_avg";
  c.title = "SWD <avg>";
  c.series = {{"run \"a\"", {{0, 10, 1}, {1, 8, 0.5}, {2, 7, 0}}}, {"b", {{0, 12, 0}}}};
  c.band = ChartBand{4, 5, "real"};
  const std::string svg = render_chart(c);
  EXPECT_NE(svg.find("id=\"swd_avg\" data-series=\"2\""), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"run &quot;a&quot;\" data-points=\"3\""), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"b\" data-points=\"1\""), std::string::npos);
  EXPECT_NE(svg.find("SWD &lt;avg&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<avg>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"band\" data-low=\"4\" data-high=\"5\""), std::string::npos);
  size_t circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) ++circles;
  EXPECT_EQ(circles, 4u);
  size_t bars = 0;
  for (size_t at = svg.find("class=\"err\""); at != std::string::npos; at = svg.find("class=\"err\"", at + 1)) ++bars;
  EXPECT_EQ(bars, 2u);
}

}  // namespace
}  // namespace gankit
