// The Laplacian pyramid of SWD (eval/laplacian.h) against OpenCV's pyrDown/pyrUp definition.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "error.h"
#include "laplacian.h"

namespace gankit {
namespace {

TEST(Laplacian, MatchesPyrDownPyrUpDefinitionAndReconstructs) {
  cv::Mat img(64, 64, CV_32FC3);
  cv::randu(img, 0, 255);
  auto pyr = laplacian_pyramid(img, 3);
  ASSERT_EQ(pyr.size(), 3u);
  EXPECT_EQ(pyr[1].rows, 32);
  EXPECT_EQ(pyr[2].rows, 16);
  cv::Mat g1, g2, up;
  cv::pyrDown(img, g1);
  cv::pyrDown(g1, g2);
  cv::pyrUp(g2, up, g1.size());
  EXPECT_EQ(cv::norm(pyr[1], g1 - up, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(pyr[2], g2, cv::NORM_INF), 0.0);  // coarsest: the Gaussian itself
  for (int k = 0; k < 3; ++k) EXPECT_EQ(cv::norm(laplacian_level(img, 3, k), pyr[k], cv::NORM_INF), 0.0);
  // The scratch form gives the same bits, also when one scratch serves several images and levels.
  LaplacianScratch scratch;
  for (int round = 0; round < 2; ++round)
    for (int k : {2, 0, 1}) {
      cv::Mat other(64, 64, CV_32FC3);
      cv::randu(other, 0, 255);
      EXPECT_EQ(cv::norm(laplacian_level(other, 3, k, scratch), laplacian_level(other, 3, k), cv::NORM_INF), 0.0);
      EXPECT_EQ(cv::norm(laplacian_level(img, 3, k, scratch), pyr[k], cv::NORM_INF), 0.0);
    }
  // Collapsing the pyramid gives the image back (up to float rounding).
  cv::Mat rec = pyr[2];
  for (int k = 1; k >= 0; --k) {
    cv::Mat u;
    cv::pyrUp(rec, u, pyr[k].size());
    rec = u + pyr[k];
  }
  EXPECT_LT(cv::norm(rec, img, cv::NORM_INF), 1e-3);
  // The binomial kernel, reflect-101: one bright pixel at the corner of a 16x16 image.
  cv::Mat dot = cv::Mat::zeros(16, 16, CV_32FC1);
  dot.at<float>(0, 0) = 256.f;
  cv::Mat d;
  cv::pyrDown(dot, d);
  EXPECT_FLOAT_EQ(d.at<float>(0, 0), 256.f * 6 * 6 / 256);
  EXPECT_FLOAT_EQ(d.at<float>(0, 1), 256.f * 6 * 1 / 256);
}

}  // namespace
}  // namespace gankit
