// The compare report's SVG charts (eval/svg_chart.h): the series markup the browser test reads.
#include <gtest/gtest.h>

#include "svg_chart.h"
#include "test_util.h"

namespace gankit {
namespace {

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
