// AtomicOutput — an output path written under a temporary name and renamed when complete.
//
// The temporary lives beside the target ("OUT.tmp-<pid>") so the final rename is atomic on one
// filesystem. If the object is destroyed without commit() (an exception, a bad input), the
// temporary is removed; SIGINT/SIGTERM also remove every live temporary before the process dies.
// A crash never leaves a file or folder under the final name that looks finished.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace gankit {

class AtomicOutput {
 public:
  // Checks that `target` can be created: its folder exists and is writable, and the target does
  // not exist unless `overwrite`. Throws Error(Data) naming the path otherwise.
  AtomicOutput(std::filesystem::path target, bool overwrite);
  // A resumable output: the temporary is "OUT.partial", left in place (for a later run to
  // continue) when the object is destroyed without commit() or the process is interrupted.
  struct Resumable {};
  AtomicOutput(std::filesystem::path target, bool overwrite, Resumable);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  // Renames the temporary onto the target (replacing an existing target when overwrite was set).
  void commit();

 private:
  // Throws Error naming the path when the target cannot be created (see the constructor).
  void check_target() const;
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool overwrite_;
  bool committed_ = false;
  bool keep_partial_ = false;
};

// Writes `bytes` to `path` through an AtomicOutput (replacing an existing file). Throws
// Error(Data) naming the path when it cannot be written.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace gankit
