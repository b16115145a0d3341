// Our LibTorch archive files (gan-train checkpoints, dedup models): written atomically, opened
// with one-line errors that name the file and what it should have been (`what`: "checkpoint",
// "dedup model"). Each holds a "meta" record: a JSON string.
#pragma once

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <string>

namespace gankit {

// Writes `archive` to `path` through a temporary name (a crash leaves no file that looks
// finished); Error(Data) "cannot write WHAT PATH: WHY".
void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& path, const std::string& what);

// Error(Data) "WHAT PATH does not exist" or "PATH is not a gankit WHAT (unreadable LibTorch archive)".
torch::serialize::InputArchive open_archive(const std::filesystem::path& path, const c10::Device& device,
                                            const std::string& what);

// The "meta" string record; Error(Data) "PATH is not a gankit WHAT (no meta record)".
std::string read_meta_record(torch::serialize::InputArchive& archive, const std::filesystem::path& path,
                             const std::string& what);

}  // namespace gankit
