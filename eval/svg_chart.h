// Line charts as inline SVG for the compare report: no script library, no network, readable
// from disk in any browser. Each series is a <g class="series" data-name=... data-points=N> so a
// test (or a script) can check what was drawn.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gankit {

struct ChartPoint {
  double x = 0, y = 0;
  double error = 0;  // half-width of an error bar (0: none)
};

struct ChartSeries {
  std::string name;
  std::vector<ChartPoint> points;  // drawn in order; markers at each point
};

struct ChartBand {  // a horizontal band (a reference value with its interval)
  double low = 0, high = 0;
  std::string label;
};

struct Chart {
  std::string id;  // element id, unique in the page
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
  std::optional<ChartBand> band;
  int width = 720, height = 340;
};

// The colour of series i (a fixed palette, so a run keeps its colour across charts).
const char* series_color(size_t i);

// <figure> with the SVG, the legend and the title; values are HTML-escaped.
std::string render_chart(const Chart& chart);

// Text safe inside HTML elements and attribute values.
std::string html_escape(const std::string& text);

}  // namespace gankit
