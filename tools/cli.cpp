#include "cli.h"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "error.h"
#include "hdf5_store.h"

namespace gankit::cli {

void add_common(po::options_description& desc, CommonFlags& flags, bool with_json) {
  desc.add_options()("help,h", "show this help")("quiet,q", po::bool_switch(&flags.quiet), "no progress output")(
      "progress", po::bool_switch(&flags.progress), "show progress even when stderr is not a terminal");
  if (with_json) desc.add_options()("json", po::bool_switch(&flags.json), "print one JSON object on stdout");
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

int run_main(const std::string& prog, const std::string& about, const std::vector<Subcommand>& subcommands, int argc,
             char** argv) {
  auto print_usage = [&](std::FILE* out) {
    std::string text = fmt::format("{} {} — {}\n\nUsage: {} COMMAND [ARGS] (COMMAND --help for details)\n\nCommands:\n",
                                   prog, tool_version(), about, prog);
    for (const auto& s : subcommands) text += fmt::format("  {:<12} {}\n", s.name, s.summary);
    std::fputs(text.c_str(), out);
  };
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
      std::fprintf(stderr, "%s: error: %s\n", full.c_str(), e.what());
      return e.exit_code();
    } catch (const po::error& e) {
      std::fprintf(stderr, "%s: error: %s (see %s --help)\n", full.c_str(), e.what(), full.c_str());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: internal error: %s\n", full.c_str(), e.what());
      return 3;
    }
  }
  std::fprintf(stderr, "%s: error: unknown command '%s' (see %s --help)\n", prog.c_str(), cmd.c_str(), prog.c_str());
  return 1;
}

}  // namespace gankit::cli
