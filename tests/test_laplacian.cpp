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

// SWD keeps G(1) of each image as uint16 256 * G(1) and starts the coarser levels from it. For
// images of 0..255 integers that is exact (the binomial weights are integers summing to 256), and
// the coarser levels from it are the same bits as from the image; odd sizes included.
TEST(Laplacian, LevelOneOfByteImagesIsExactAsUint16AndGivesTheSameCoarserLevels) {
  for (cv::Size size : {cv::Size(64, 64), cv::Size(53, 37)}) {
    cv::Mat bytes(size, CV_8UC3), img;
    cv::randu(bytes, 0, 256);
    bytes.convertTo(img, CV_32F);
    img.at<cv::Vec3f>(0, 0) = cv::Vec3f(255, 255, 255);  // the extreme value is in range too
    LaplacianScratch scratch;
    laplacian_level(img, 3, 0, scratch);
    cv::Mat g1;
    cv::pyrDown(img, g1);
    ASSERT_EQ(cv::norm(scratch.down, g1, cv::NORM_INF), 0.0);  // what SWD stores
    cv::Mat u16, back;
    g1.convertTo(u16, CV_16U, 256.0);
    u16.convertTo(back, CV_32F, 1.0 / 256);
    EXPECT_EQ(cv::norm(back, g1, cv::NORM_INF), 0.0) << size;
    double lo = 0, hi = 0;
    cv::minMaxLoc(u16.reshape(1), &lo, &hi);
    EXPECT_LE(hi, 65280.0);
    for (int k = 1; k < 3; ++k)
      EXPECT_EQ(cv::norm(laplacian_level(back, 2, k - 1), laplacian_level(img, 3, k), cv::NORM_INF), 0.0) << k;
  }
  // Not for any float image: 1/3 of a unit is lost in uint16 (why SWD stores only byte images' G(1)).
  cv::Mat frac(16, 16, CV_32FC3, cv::Scalar::all(1.0 / 3)), g1, u16, back;
  cv::pyrDown(frac, g1);
  g1.convertTo(u16, CV_16U, 256.0);
  u16.convertTo(back, CV_32F, 1.0 / 256);
  EXPECT_GT(cv::norm(back, g1, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace gankit
