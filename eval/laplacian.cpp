#include "laplacian.h"

#include <opencv2/imgproc.hpp>

namespace gankit {

cv::Mat laplacian_level(const cv::Mat& image, int levels, int k) {
  cv::Mat g = image;
  for (int i = 0; i < k; ++i) {
    cv::Mat down;
    cv::pyrDown(g, down);
    g = down;
  }
  if (k == levels - 1) return g.clone();
  cv::Mat down, up;
  cv::pyrDown(g, down);
  cv::pyrUp(down, up, g.size());
  return g - up;
}

const cv::Mat& laplacian_level(const cv::Mat& image, int levels, int k, LaplacianScratch& s) {
  if (s.gauss.size() < static_cast<size_t>(k)) s.gauss.resize(static_cast<size_t>(k));
  const cv::Mat* g = &image;
  for (int i = 0; i < k; ++i) {
    cv::pyrDown(*g, s.gauss[static_cast<size_t>(i)]);
    g = &s.gauss[static_cast<size_t>(i)];
  }
  if (k == levels - 1) {
    g->copyTo(s.out);
    return s.out;
  }
  cv::pyrDown(*g, s.down);
  cv::pyrUp(s.down, s.up, g->size());
  cv::subtract(*g, s.up, s.out);
  return s.out;
}

std::vector<cv::Mat> laplacian_pyramid(const cv::Mat& image, int levels) {
  std::vector<cv::Mat> gauss{image.clone()};
  for (int i = 1; i < levels; ++i) {
    cv::Mat down;
    cv::pyrDown(gauss.back(), down);
    gauss.push_back(down);
  }
  std::vector<cv::Mat> out(static_cast<size_t>(levels));
  for (int i = 0; i < levels - 1; ++i) {
    cv::Mat up;
    cv::pyrUp(gauss[i + 1], up, gauss[i].size());
    out[i] = gauss[i] - up;
  }
  out[levels - 1] = gauss[levels - 1];
  return out;
}

}  // namespace gankit
