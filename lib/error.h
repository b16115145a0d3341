// gankit::Error — the one exception type of the suite, and the check macros that throw it.
//
// Every failure a user can cause is an Error with a kind that maps to the process exit code:
//   Usage (1)    bad command line: unknown option, bad value, conflicting flags
//   Data (2)     bad input data: missing/corrupt file, wrong format, mismatched sizes
//   Internal (3) a bug or a library failure we did not expect
// The message is one line that names the bad value and the file it came from.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace gankit {

enum class ErrorKind { Usage = 1, Data = 2, Internal = 3 };

// A setting's name inside a message: GANKIT_SETTING("probe_distance") in the format string. The
// library names its settings as its options structs do; what() shows that name, and a tool shows
// the flag that sets it (Error::message): the library reports values, the tools name flags.
#define GANKIT_SETTING(name) "\x01" name "\x02"

// `text` with each GANKIT_SETTING name replaced by name(setting).
template <typename Name>
std::string with_setting_names(std::string_view text, Name&& name) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('\x01', i), close = open == std::string_view::npos ? open : text.find('\x02', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    out += name(text.substr(open + 1, close - open - 1));
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

// `text` with its settings named as the library names them (for logs and files).
inline std::string plain_text(std::string_view text) {
  return with_setting_names(text, [](std::string_view s) { return std::string(s); });
}

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message)
      : std::runtime_error(plain_text(message)), kind_(kind), message_(message) {}
  ErrorKind kind() const { return kind_; }
  int exit_code() const { return static_cast<int>(kind_); }
  // The message with its settings marked, for a message that wraps this one (Error(kind, "... " +
  // e.raw())): the tool still names its flags.
  const std::string& raw() const { return message_; }
  // The message with each setting named by name(setting) (a tool: its flag).
  template <typename Name>
  std::string message(Name&& name) const {
    return with_setting_names(message_, name);
  }

 private:
  ErrorKind kind_;
  std::string message_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

// `text` with control characters escaped (\n, \r, \t, \xNN): a file name holding a newline
// cannot split the one line a message must be.
inline std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '\n')
      out += "\\n";
    else if (ch == '\r')
      out += "\\r";
    else if (ch == '\t')
      out += "\\t";
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += ch;
  }
  return out;
}

}  // namespace gankit

// GANKIT_CHECK(cond, kind, "format {}", args...): throws gankit::Error(kind, message) unless cond.
#define GANKIT_CHECK(cond, kind, ...)                                                 \
  do {                                                                                \
    if (!(cond)) ::gankit::fail(::gankit::ErrorKind::kind, fmt::format(__VA_ARGS__)); \
  } while (0)

// Shorthands for the two common kinds.
#define GANKIT_CHECK_DATA(cond, ...) GANKIT_CHECK(cond, Data, __VA_ARGS__)
#define GANKIT_CHECK_USAGE(cond, ...) GANKIT_CHECK(cond, Usage, __VA_ARGS__)
