// NumPy .npy / .npz image arrays.
//
// Accepted: uint8 arrays of shape (N, H, W, C) "NHWC" with C in {1, 3, 4}, (N, C, H, W) "NCHW"
// with C in {1, 3} and H, W > 4, or (N, H, W) grayscale. An (N, A, B, C) array whose last axis is
// 1/3/4 is read as NHWC (the numpy/TF convention). RGBA drops alpha. The result is NCHW RGB/gray.
// .npz: the array named `key`, or else the only array, or else the one named "images"/"x"/"arr_0".
#pragma once

#include <filesystem>
#include <string>

#include "image_batch.h"

namespace gankit {

ImageBatch load_npy(const std::filesystem::path& path);
ImageBatch load_npz(const std::filesystem::path& path, const std::string& key = "");
// Parses .npy bytes (exposed for tests). `name` is used in error messages.
ImageBatch parse_npy(const std::string& bytes, const std::string& name);
// Writes an uint8 NHWC .npy (so our images can go back to numpy tools).
void save_npy_nhwc(const std::filesystem::path& path, const ImageBatch& batch);

}  // namespace gankit
