// Shared plumbing of the command-line tools: option groups every subcommand has, the
// exception-to-exit-code mapping, and help output. Tools stay thin: parse, call the library.
#pragma once

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "progress.h"

namespace gankit::cli {

namespace po = boost::program_options;

// --quiet, --progress; and --json when `with_json`.
struct CommonFlags {
  bool quiet = false;
  bool progress = false;
  bool json = false;
  ProgressOptions progress_options() const { return {quiet, progress}; }
};
void add_common(po::options_description& desc, CommonFlags& flags, bool with_json);
// --device (default cpu) and --threads (default 0: all cores), one help text for every command;
// `where` says what runs on the device ("where the generator runs"). Null pointers: the values
// are read from the variables_map.
void add_compute_options(po::options_description& desc, std::string* device, int* threads, const std::string& where);
// --max-pixels, for commands that decode image files (sets gankit::set_max_image_pixels).
void add_decode_options(po::options_description& desc);

// po::value(target) whose default is the target's current value (a library options struct's
// default: one source of truth), shown as the shortest text that reads back as it (boost itself
// shows a float 0.001 as 0.0010000000474974513).
template <typename T>
po::typed_value<T>* defaulted(T* target) {
  return po::value(target)->default_value(*target, fmt::format("{}", *target));
}

struct Subcommand {
  std::string name;
  std::string summary;
  // Runs with the arguments after the subcommand name; returns the exit code.
  std::function<int(const std::string& prog, const std::vector<std::string>& args)> run;
};

// Parses `args` against `desc` and `positional`. Returns false (after printing help to stdout)
// when --help was given. Throws po::error on bad options and on missing required positionals.
bool parse(const std::string& usage, const std::vector<std::string>& args, po::options_description& desc,
           const po::positional_options_description& positional, po::variables_map& vm);

// "0.5,0.999" -> {0.5, 0.999}. Throws Error(Usage) "OPTION 'TEXT': expected comma-separated
// numbers" when an item is not a number.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);

// A subcommand with steps of its own (gan-data dedup train|hash), dispatched as run_main does
// its subcommands: without arguments the usage goes to stderr (exit 1), with --help to stdout
// (exit 0); an unknown step is an Error(Usage) "NAME: unknown step (expected ...)".
int run_steps(const std::string& prog, const std::string& about, const std::vector<Subcommand>& steps,
              const std::vector<std::string>& args);

// The flag that sets a library setting named in an error (GANKIT_SETTING, error.h): the tools'
// flags are the settings' names with '-' for '_' ("probe_distance" -> "--probe-distance").
std::string flag_of_setting(std::string_view setting);

// The whole main: dispatches argv[1] to a subcommand and maps exceptions to exit codes
// (gankit::Error -> its kind, option errors -> 1, anything else -> 3) with one line on stderr.
int run_main(const std::string& prog, const std::string& about, const std::vector<Subcommand>& subcommands, int argc,
             char** argv);

}  // namespace gankit::cli

// Unsigned options (--seed, counts): boost's own conversion takes "-1" as 2^64 - 1 (and
// "-4294967295" as 1 for 32 bits). These overloads, found through boost::any by argument-dependent
// lookup, accept digits only and name the option otherwise (exit 1).
namespace boost {
void validate(boost::any& v, const std::vector<std::string>& values, unsigned long*, int);
void validate(boost::any& v, const std::vector<std::string>& values, unsigned int*, int);
}  // namespace boost
