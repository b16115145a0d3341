// Writers of small dataset files in the real formats, used by the importer and CLI tests:
// CIFAR-10 binary batches, SVHN MATLAB v5 files (matio), IDX (raw and gzip), LSUN lmdb (webp
// and jpeg values), CelebA folders. Pixel values are a known function of (image, channel, y, x).
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

namespace gankit::test {

// The value every fixture stores at image i, channel c, row y, column x.
inline uint8_t pixel(int i, int c, int y, int x) {
  return static_cast<uint8_t>((37 * i + 11 * x + 7 * y * (c + 1) + 50 * c) % 256);
}

// data_batch_1..5.bin with `per_batch` records each, test_batch.bin with `test` records and
// batches.meta.txt. Label of image i = i % 10 (i counts across batches in order).
void write_cifar10(const std::filesystem::path& dir, int per_batch, int test);
// An SVHN-style .mat: X uint8 32x32x3xN (column-major), y double N x 1 with labels 1..10 (10 = 0),
// label of image i = i % 10 + 1.
void write_svhn(const std::filesystem::path& path, int n);
// A .mat without X/y (the wrong kind of file).
void write_other_mat(const std::filesystem::path& path);
// IDX images (magic 0x803) n x rows x cols and labels (0x801) i % 10; gzip when `gz`.
void write_idx(const std::filesystem::path& images, const std::filesystem::path& labels, int n, int rows, int cols,
               bool gz);
// An lmdb database in `dir` with `n` RGB width x height images, alternating lossless webp and jpeg.
void write_lsun(const std::filesystem::path& dir, int n, int width, int height);
// The bytes write_lsun stores for image i, and their decoded RGB image.
std::vector<uint8_t> lsun_encoded(int i, int width, int height);
cv::Mat lsun_decoded_rgb(int i, int width, int height);
// A CelebA folder: img_align_celeba/%06d.png (178x218, pixel() values) and list_eval_partition.txt
// with partition i % 3.
void write_celeba(const std::filesystem::path& dir, int n);

}  // namespace gankit::test

namespace gankit::test {
// `n` noisy RGB PNGs NNNN.png of side x side (uniform noise from `seed`: they do not compress, and
// their pyramids hit every rounding case).
void write_noise_folder(const std::filesystem::path& dir, int n, int side, uint64_t seed = 7);
// An HDF5 pyramid of n images of c x r x r with pixel() values (no labels), uncompressed.
void write_pyramid(const std::filesystem::path& path, int n, int c, int r);
// A .npz archive of the given (member name, bytes) pairs, stored or deflated.
void write_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& members,
               bool deflate);
}  // namespace gankit::test
