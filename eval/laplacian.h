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

}  // namespace gankit
