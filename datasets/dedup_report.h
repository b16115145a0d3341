// What a user should look at before `gan-data dedup hash --apply` removes anything: how far
// each group's members lie from the image the group keeps, and a contact sheet of the groups
// whose members lie farthest apart (the likeliest to hold distinct images).
//
// A group's spread is the largest, over its members, of the sketch distance (sketch.h) between the
// member and the first member, in grey levels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "progress.h"
#include "semantic_hash.h"
#include "sketch.h"
#include "thumbnails.h"

namespace gankit {

// Groups whose spread is over this many grey levels hold members that differ by more than
// re-encoding, resizing or brightening moves a copy (docs/dedup.md): worth a look.
constexpr double kDoubtfulSpread = 4.0;
constexpr int kSheetGroups = 32;   // rows of the contact sheet
constexpr int kSheetMembers = 10;  // images shown per row (a group's first ones)
constexpr int kSheetCell = 64;     // side of each image on the sheet, pixels

// Per group of `groups` (positions into the hashed sequence), its spread; `sketches` holds
// kSketchBytes per hashed image, or is empty (exact duplicates: every spread 0).
std::vector<double> group_spreads(const DuplicateGroups& groups, const std::vector<uint8_t>& sketches);
// The groups of the contact sheet: up to kSheetGroups indices into groups.groups, the largest
// spread first (ties: the larger group, then dataset order).
std::vector<size_t> doubtful_groups(const DuplicateGroups& groups, const std::vector<double>& spreads);

// Writes the contact sheet of `rows` (indices into groups.groups) as a PNG: one row per group, a
// label (its number in GROUPS.json, size, spread) and its first kSheetMembers images at
// kSheetCell x kSheetCell (centre squares). `positions[i]` is hashed image i's record index in
// `input`, read again here: from its pyramid (random access) or through the importer.
void write_contact_sheet(const std::filesystem::path& input, const DatasetInputOptions& input_options,
                         bool random_access, const DuplicateGroups& groups, const std::vector<double>& spreads,
                         const std::vector<size_t>& rows, const std::vector<int64_t>& positions,
                         const std::filesystem::path& sheet, const ProgressOptions& progress);

}  // namespace gankit
