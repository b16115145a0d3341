// Progress — a one-line progress bar on stderr with count, rate and ETA.
//
// Shown only when enabled and stderr is a terminal, unless forced (--progress). On a terminal it
// redraws one line at most ten times a second; forced onto a file or pipe it writes a plain line
// (no carriage return, no escape codes) every 10 seconds. finish() prints the final line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace gankit {

struct ProgressOptions {
  bool quiet = false;  // --quiet: never show
  bool force = false;  // --progress: show even when stderr is not a terminal
};

// Prints `text` as one line on stderr, whatever --quiet says (names of skipped inputs are
// results, not progress): control characters are escaped, and on a terminal a progress line
// being drawn is cleared first.
void print_note(const std::string& text);

class Progress {
 public:
  // total <= 0 means unknown (no bar, no ETA).
  Progress(std::string label, int64_t total, ProgressOptions options, std::string unit = "img");
  ~Progress();
  void add(int64_t n = 1);
  void set_total(int64_t total) { total_ = total; }
  void finish();
  int64_t count() const { return count_; }
  // Items per second since construction.
  double rate() const;

 private:
  void draw(bool final);
  std::string label_;
  std::string unit_;
  int64_t total_;
  int64_t count_ = 0;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace gankit
