#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "error.h"

namespace gankit {

namespace {
std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "--:--";
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}
}  // namespace

Progress::Progress(std::string label, int64_t total, ProgressOptions options, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(!options.quiet && (options.force || isatty(STDERR_FILENO))),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && enabled_ && count_ > 0) std::fputc('\n', stderr);
}

double Progress::rate() const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return secs > 0 ? static_cast<double>(count_) / secs : 0.0;
}

void Progress::add(int64_t n) {
  count_ += n;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10000))) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

void Progress::draw(bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double r = secs > 0 ? count_ / secs : 0.0;
  std::string line;
  if (total_ > 0) {
    constexpr int kWidth = 28;
    double frac = std::min(1.0, static_cast<double>(count_) / static_cast<double>(total_));
    int filled = static_cast<int>(frac * kWidth);
    double eta = r > 0 ? (total_ - count_) / r : -1;
    line = fmt::format("\r{} [{}{}] {}/{} {:.0f} {}/s {} {}", label_, std::string(filled, '#'),
                       std::string(kWidth - filled, '.'), count_, total_, r, unit_, final ? "in" : "ETA",
                       format_duration(final ? secs : eta));
  } else {
    line = fmt::format("\r{} {} {:.0f} {}/s {}", label_, count_, r, unit_, format_duration(secs));
  }
  if (tty_) {
    std::fputs(line.c_str(), stderr);
    std::fputs(final ? "\n" : "\x1b[K", stderr);
  } else {
    std::fputs(line.c_str() + 1, stderr);  // without the carriage return
    std::fputc('\n', stderr);
  }
  std::fflush(stderr);
}

void print_note(const std::string& text) {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  const std::string line = printable(text);
  if (tty)
    std::fprintf(stderr, "\r%s\x1b[K\n", line.c_str());
  else
    std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace gankit
