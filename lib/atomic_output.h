// AtomicOutput — an output path written under a temporary name and renamed when complete.
//
// The temporary lives beside the target ("OUT.tmp-<pid>") so the final rename is atomic on one
// filesystem. If the object is destroyed without commit() (an exception, a bad input), the
// temporary is removed; SIGINT/SIGTERM also remove every live temporary before the process dies.
// A crash never leaves a file or folder under the final name that looks finished.
//
// What may be replaced (the data-loss rules, the same for every tool):
//   - a file output replaces only a regular file, or the regular file a symbolic link points to
//     (the link stays); a folder, a device, a pipe or a dangling link is refused;
//   - a folder output (Kind::ImageFolder) replaces only an empty folder or one that holds nothing
//     but what gankit writes there (NNNNNNNN.png, labels.csv); a report folder (Kind::ReportFolder,
//     gan-eval compare) only one holding index.html, results.csv, summary.json and images/*.png;
//   - no output may be the same file (device and inode) as an input the process has opened
//     (note_input), checked when the output is created and again just before the rename;
//   - a temporary "OUT.tmp-<pid>" left by a killed process that no longer exists is removed by
//     the next run that writes OUT.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace gankit {

class AtomicOutput {
 public:
  enum class Kind { File, ImageFolder, ReportFolder };
  // Checks that `target` can be created: its folder exists and is writable, and the target does
  // not exist unless `overwrite` (and then only as the rules above allow). Throws Error(Data)
  // naming the path otherwise, Error(Usage) when the target is one of the inputs.
  AtomicOutput(std::filesystem::path target, bool overwrite, Kind kind = Kind::File);
  // A resumable output: the temporary is "OUT.partial", left in place (for a later run to
  // continue) when the object is destroyed without commit() or the process is interrupted.
  struct Resumable {};
  AtomicOutput(std::filesystem::path target, bool overwrite, Resumable);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  // The path that will be written: the target, or the file a symbolic link target points to.
  const std::filesystem::path& target() const { return target_; }
  // Renames the temporary onto the target (replacing an existing target when overwrite was set).
  void commit();

 private:
  // Throws Error naming the path when the target cannot be created (see the constructor).
  void check_target();
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool overwrite_;
  Kind kind_ = Kind::File;
  bool committed_ = false;
  bool keep_partial_ = false;
};

// Records that the process read `path` (an input file loaded whole, then closed), so that no
// AtomicOutput of this process replaces it. Cheap (one stat); paths that do not exist are ignored.
// A file is known by device, inode and change time, so a new file that reuses the inode of a
// deleted one is not mistaken for it.
void note_input(const std::filesystem::path& path);

// Marks `path` as an input while the object lives: readers that keep a file open hold one.
class InputFile {
 public:
  InputFile() = default;
  explicit InputFile(const std::filesystem::path& path);
  ~InputFile();
  InputFile(InputFile&& other) noexcept : key_(std::exchange(other.key_, {})) {}
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

 private:
  std::string key_;  // empty: nothing marked
};
// Undoes note_input() for a file the caller means to replace after reading it (a run's
// checkpoints/latest.pt, read on resume and rewritten by the same run).
void forget_input(const std::filesystem::path& path);
// Throws Error(Usage) "OUTPUT is also an input (...)" when `output` exists and is the same file
// as a noted input or as one of `inputs`.
void check_not_an_input(const std::filesystem::path& output, std::initializer_list<std::filesystem::path> inputs = {});

// Writes `bytes` to `path` through an AtomicOutput (replacing an existing file). Throws
// Error(Data) naming the path when it cannot be written (a full disk is named as such).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// "disk full (ENOSPC)" / "file size limit reached (EFBIG)" / "disk quota exceeded (EDQUOT)" for
// the errno values that mean the output does not fit, else strerror(err). For messages.
std::string describe_write_errno(int err);
// The name a user asked for, for messages about a temporary: "OUT.tmp-<pid>" -> "OUT",
// "OUT.partial" -> "OUT"; any other path unchanged.
std::string output_name(const std::string& path);

}  // namespace gankit
