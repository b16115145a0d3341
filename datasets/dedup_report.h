// What a user should look at before `gan-data dedup hash --apply` removes anything: how far
// each group's members lie from the image the group keeps, and a contact sheet of the groups
// whose members lie farthest apart (the likeliest to hold distinct images).
//
// A group's spread is the largest, over its members, of the mean absolute difference between the
// member's sketch and the first member's: 8 x 8 grey sketches of the dedup thumbnails (each the
// mean of a 4 x 4 block over the three channels), in grey levels 0..255. The sketches cost 64
// bytes per image; a re-encoded or resized copy is typically within 1-2 grey levels of its
// original, two distinct images that share a hash are usually much farther apart.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "progress.h"
#include "semantic_hash.h"
#include "thumbnails.h"

namespace gankit {

constexpr int kSketchSide = 8;
constexpr int kSketchBytes = kSketchSide * kSketchSide;
constexpr int kSheetGroups = 32;   // rows of the contact sheet
constexpr int kSheetMembers = 10;  // images shown per row (a group's first ones)
constexpr int kSheetCell = 64;     // side of each image on the sheet, pixels

// Thumbnail (kThumbnailBytes, CHW RGB) -> its sketch (kSketchBytes).
void thumbnail_sketch(const uint8_t* thumbnail, uint8_t* sketch);
// Mean |a - b| over two sketches, grey levels.
double sketch_distance(const uint8_t* a, const uint8_t* b);
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
