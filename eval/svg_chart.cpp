#include "svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace gankit {

namespace {

constexpr double kLeft = 64, kRight = 16, kTop = 16, kBottom = 44;

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void settle() {
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
      const double pad = std::max(std::abs(hi) * 0.05, 1e-6);
      lo -= pad;
      hi += pad;
    }
  }
};

// Tick step of 1, 2 or 5 x 10^k giving about five ticks over the range.
double tick_step(const Range& r) {
  const double raw = (r.hi - r.lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string tick_label(double v, double step) {
  if (std::abs(v) < step * 1e-6) return "0";
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step))));
  return fmt::format("{:.{}f}", v, decimals);
}

std::string format_value(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

const char* series_color(size_t i) {
  static const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return palette[i % 10];
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_chart(const Chart& c) {
  Range xr, yr;
  for (const ChartSeries& s : c.series)
    for (const ChartPoint& p : s.points) {
      xr.add(p.x);
      yr.add(p.y - p.error);
      yr.add(p.y + p.error);
    }
  if (c.band) {
    yr.add(c.band->low);
    yr.add(c.band->high);
  }
  xr.settle();
  yr.settle();
  const double xs = tick_step(xr), ys = tick_step(yr);
  xr.lo = std::floor(xr.lo / xs) * xs, xr.hi = std::ceil(xr.hi / xs) * xs;
  yr.lo = std::floor(yr.lo / ys) * ys, yr.hi = std::ceil(yr.hi / ys) * ys;
  const double pw = c.width - kLeft - kRight, ph = c.height - kTop - kBottom;
  auto X = [&](double x) { return kLeft + (x - xr.lo) / (xr.hi - xr.lo) * pw; };
  auto Y = [&](double y) { return kTop + (1 - (y - yr.lo) / (yr.hi - yr.lo)) * ph; };

  std::string svg = fmt::format(
      "<svg class=\"chart\" id=\"{}\" data-series=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\">\n",
      html_escape(c.id), c.series.size(), c.width, c.height, c.width, c.height, html_escape(c.title));
  // Grid, ticks and axis labels.
  for (double v = yr.lo; v <= yr.hi + ys * 1e-9; v += ys)
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        kLeft, kLeft + pw, Y(v), Y(v), kLeft - 6, Y(v) + 4, tick_label(v, ys));
  for (double v = xr.lo; v <= xr.hi + xs * 1e-9; v += xs)
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
        X(v), X(v), kTop, kTop + ph, X(v), kTop + ph + 16, tick_label(v, xs));
  svg += fmt::format("<text class=\"axis\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kLeft + pw / 2,
                     c.height - 6, html_escape(c.x_label));
  svg += fmt::format(
      "<text class=\"axis\" transform=\"translate(14 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}"
      "</text>\n",
      kTop + ph / 2, html_escape(c.y_label));
  if (c.band) {
    const double top = Y(c.band->high), bottom = Y(c.band->low);
    svg += fmt::format(
        "<g class=\"band\" data-low=\"{}\" data-high=\"{}\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
        "height=\"{:.1f}\"/><text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text></g>\n",
        format_value(c.band->low), format_value(c.band->high), kLeft, top, pw, std::max(1.0, bottom - top),
        kLeft + pw - 4, top - 4, html_escape(c.band->label));
  }
  for (size_t i = 0; i < c.series.size(); ++i) {
    const ChartSeries& s = c.series[i];
    const char* color = series_color(i);
    svg += fmt::format("<g class=\"series\" data-name=\"{}\" data-points=\"{}\" stroke=\"{}\" fill=\"{}\">\n",
                       html_escape(s.name), s.points.size(), color, color);
    std::string path;
    for (const ChartPoint& p : s.points) path += fmt::format("{:.1f},{:.1f} ", X(p.x), Y(p.y));
    svg += fmt::format("<polyline fill=\"none\" points=\"{}\"/>\n", path);
    for (const ChartPoint& p : s.points) {
      if (p.error > 0)
        svg += fmt::format("<line class=\"err\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", X(p.x),
                           X(p.x), Y(p.y - p.error), Y(p.y + p.error));
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"><title>{}: {} = {}{}</title></circle>\n", X(p.x),
                         Y(p.y), html_escape(s.name), format_value(p.x), format_value(p.y),
                         p.error > 0 ? " ± " + format_value(p.error) : "");
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  std::string legend = "<div class=\"legend\">";
  for (size_t i = 0; i < c.series.size(); ++i)
    legend +=
        fmt::format("<span><i style=\"background:{}\"></i>{}</span>", series_color(i), html_escape(c.series[i].name));
  legend += "</div>";
  return fmt::format("<figure id=\"fig-{}\"><figcaption>{}</figcaption>\n{}{}</figure>\n", html_escape(c.id),
                     html_escape(c.title), svg, legend);
}

}  // namespace gankit
