#include "cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"

namespace gankit::cli {

void add_common(po::options_description& desc, CommonFlags& flags, bool with_json) {
  desc.add_options()("help,h", "show this help")("quiet,q", po::bool_switch(&flags.quiet), "no progress output")(
      "progress", po::bool_switch(&flags.progress), "show progress even when stderr is not a terminal");
  if (with_json) desc.add_options()("json", po::bool_switch(&flags.json), "print one JSON object on stdout");
}

void add_compute_options(po::options_description& desc, std::string* device, int* threads, const std::string& where) {
  desc.add_options()("device", po::value(device)->default_value("cpu"),
                     (where + ": cpu, cuda or cuda:N (cuda needs a CUDA LibTorch build and a GPU)").c_str())(
      "threads", po::value(threads)->default_value(0), "CPU threads (default: all cores)");
}

void add_decode_options(po::options_description& desc) {
  desc.add_options()(
      "max-pixels",
      po::value<uint64_t>()->default_value(static_cast<uint64_t>(kDefaultMaxImagePixels))->notifier([](uint64_t v) {
        set_max_image_pixels(static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)));
      }),
      "largest image (width x height) to decode; larger files are refused from their header, "
      "before any memory is spent on them");
}

bool parse(const std::string& usage, const std::vector<std::string>& args, po::options_description& desc,
           const po::positional_options_description& positional, po::variables_map& vm) {
  po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n\n" << desc << std::flush;
    return false;
  }
  po::notify(vm);
  return true;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    GANKIT_CHECK_USAGE(!item.empty() && used == item.size(), "{} '{}': expected comma-separated numbers", option, text);
    out.push_back(v);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string flag_of_setting(std::string_view setting) {
  std::string flag = "--" + std::string(setting);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

int run_steps(const std::string& prog, const std::string& about, const std::vector<Subcommand>& steps,
              const std::vector<std::string>& args) {
  std::string usage = fmt::format("Usage: {} STEP [ARGS] (STEP --help for details)\n\n{}\n\nSteps:\n", prog, about);
  std::string names;
  for (const auto& s : steps) {
    usage += fmt::format("  {:<12} {}\n", s.name, s.summary);
    names += fmt::format("{}{}", names.empty() ? "" : " or ", s.name);
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  for (const auto& s : steps)
    if (s.name == args[0]) return s.run(prog + " " + s.name, std::vector<std::string>(args.begin() + 1, args.end()));
  const std::string name = prog.substr(prog.rfind(' ') + 1);  // "gan-data dedup" -> "dedup"
  fail(ErrorKind::Usage, fmt::format("{} {}: unknown step (expected {})", name, args[0], names));
}

int run_main(const std::string& prog, const std::string& about, const std::vector<Subcommand>& subcommands, int argc,
             char** argv) {
  auto print_usage = [&](std::FILE* out) {
    std::string text = fmt::format("{} {} — {}\n\nUsage: {} COMMAND [ARGS] (COMMAND --help for details)\n\nCommands:\n",
                                   prog, tool_version(), about, prog);
    for (const auto& s : subcommands) text += fmt::format("  {:<12} {}\n", s.name, s.summary);
    std::fputs(text.c_str(), out);
  };
  // A file size limit (ulimit -f) would kill the process with SIGXFSZ mid-write, leaving its
  // temporaries; ignored, the write fails with EFBIG and the output's error path reports it.
  std::signal(SIGXFSZ, SIG_IGN);
  if (argc < 2) {
    print_usage(stderr);
    return 1;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    print_usage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("%s %s\n", prog.c_str(), tool_version());
    return 0;
  }
  for (const auto& s : subcommands) {
    if (s.name != cmd) continue;
    const std::string full = prog + " " + cmd;
    try {
      return s.run(full, std::vector<std::string>(argv + 2, argv + argc));
    } catch (const Error& e) {
      std::fprintf(stderr, "%s: error: %s\n", full.c_str(), printable(e.message(flag_of_setting)).c_str());
      return e.exit_code();
    } catch (const po::error& e) {
      std::fprintf(stderr, "%s: error: %s (see %s --help)\n", full.c_str(), printable(e.what()).c_str(), full.c_str());
      return 1;
    } catch (const std::exception& e) {
      // Library exceptions (LibTorch's carry a backtrace): the first line only.
      const std::string what = e.what();
      std::fprintf(stderr, "%s: internal error: %s\n", full.c_str(),
                   printable(what.substr(0, what.find('\n'))).c_str());
      return 3;
    }
  }
  std::fprintf(stderr, "%s: error: unknown command '%s' (see %s --help)\n", prog.c_str(), cmd.c_str(), prog.c_str());
  return 1;
}

}  // namespace gankit::cli

namespace boost {

namespace {
template <typename T>
void validate_unsigned(boost::any& v, const std::vector<std::string>& values) {
  namespace po = program_options;
  po::validators::check_first_occurrence(v);
  const std::string& s = po::validators::get_single_string(values);
  const bool digits = !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos;
  unsigned long long value = 0;
  bool fits = digits;
  if (digits) {
    errno = 0;
    value = std::strtoull(s.c_str(), nullptr, 10);
    fits = errno == 0 && value <= std::numeric_limits<T>::max();
  }
  if (!fits) throw po::invalid_option_value(s);  // "the argument ('-1') for option '--seed' is invalid"
  v = boost::any(static_cast<T>(value));
}
}  // namespace

void validate(boost::any& v, const std::vector<std::string>& values, unsigned long*, int) {
  validate_unsigned<unsigned long>(v, values);
}
void validate(boost::any& v, const std::vector<std::string>& values, unsigned int*, int) {
  validate_unsigned<unsigned int>(v, values);
}

}  // namespace boost
