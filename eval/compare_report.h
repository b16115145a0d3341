// The report of gan-eval compare: a folder with
//   index.html   one self-contained page (inline SVG charts, a little inline script to sort the
//                leaderboard and switch SWD levels; no network): leaderboard, SWD and MS-SSIM
//                against kimg with the real-data references, training curves from log.jsonl,
//                sample grids at the best and latest checkpoints, nearest training images;
//   results.csv  one row per run x checkpoint x value (mean, 95% interval, sd, draws);
//   summary.json to_json(comparison);
//   images/      the PNGs the page shows.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "compare.h"

namespace gankit {

// The leaderboard, one row per run in rank order, for the terminal and the page.
std::vector<std::string> leaderboard_header(const Comparison& comparison);
std::vector<std::vector<std::string>> leaderboard_rows(const Comparison& comparison);

// Writes the report into `dir` (an empty folder: the caller renames it into place).
// `command` is the command line shown on the page.
void write_compare_report(const Comparison& comparison, const std::filesystem::path& dir, const std::string& command);

}  // namespace gankit
