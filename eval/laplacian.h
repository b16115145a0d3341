// Laplacian pyramid of one image, as the official SWD code builds it.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace gankit {

// `image` is float32 HWC (any channel count). Returns `levels` images, finest first:
// level k = G(k) - pyrUp(G(k+1)) for k < levels - 1 and the Gaussian G(levels - 1) last, with
// G(0) = image and G(k+1) = cv::pyrDown(G(k)) (5-tap binomial, reflect-101 borders).
std::vector<cv::Mat> laplacian_pyramid(const cv::Mat& image, int levels);

// Only level `k` of the same pyramid (computes G(0..k+1), nothing more).
cv::Mat laplacian_level(const cv::Mat& image, int levels, int k);

// Buffers for laplacian_level over many images of one size: reused, so that once warm no image
// allocates (fresh buffers of these sizes are faulted in and zeroed by the kernel each time).
struct LaplacianScratch {
  std::vector<cv::Mat> gauss;  // G(1), G(2), ...
  cv::Mat down, up, out;       // down: G(k + 1) of the last call (for k < levels - 1)
};
// The same values as laplacian_level(image, levels, k), in scratch.out.
const cv::Mat& laplacian_level(const cv::Mat& image, int levels, int k, LaplacianScratch& scratch);

}  // namespace gankit
