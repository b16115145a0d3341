// CelebA-HQ-style alignment: the quad against hand-computed numbers, and synthetic faces whose
// eyes must land at the output pixels the quad predicts (upright, rotated, at the photo's edge
// where padding is synthesised, and shrunk).
#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "face_align.h"

namespace gankit {
namespace {

// Eyes at (80, 100) and (120, 100), mouth corners at (85, 140) and (115, 140).
FaceLandmarks upright(cv::Point2d shift = {0, 0}) {
  return {cv::Point2d(80, 100) + shift, cv::Point2d(120, 100) + shift, cv::Point2d(100, 120) + shift,
          cv::Point2d(85, 140) + shift, cv::Point2d(115, 140) + shift};
}

TEST(FaceAlign, QuadOfHandComputedLandmarks) {
  // eye_avg (100.5, 100.5), mouth_avg (100.5, 140.5), e2e (40, 0), e2m (0, 40);
  // x = e2e - rot90(e2m) = (80, 0), length max(2 * 40, 1.8 * 40) = 80; y = (0, 80);
  // c = (100.5, 104.5); zoom = 64 / 160.
  const AlignQuad q = celebahq_quad(upright(), 64);
  EXPECT_DOUBLE_EQ(q.x.x, 80);
  EXPECT_DOUBLE_EQ(q.x.y, 0);
  EXPECT_DOUBLE_EQ(q.y.y, 80);
  EXPECT_DOUBLE_EQ(q.center.x, 100.5);
  EXPECT_DOUBLE_EQ(q.center.y, 104.5);
  EXPECT_DOUBLE_EQ(q.quad[0].x, 20.5);
  EXPECT_DOUBLE_EQ(q.quad[0].y, 24.5);
  EXPECT_DOUBLE_EQ(q.quad[1].y, 184.5);
  EXPECT_DOUBLE_EQ(q.quad[2].x, 180.5);
  EXPECT_DOUBLE_EQ(q.quad[3].y, 24.5);
  EXPECT_DOUBLE_EQ(q.zoom, 0.4);
  // The left eye lands at ((80 - 20.5) / 160 * 64 - 0.5, (100 - 24.5) / 160 * 64 - 0.5).
  const cv::Point2d le = aligned_position(q, 64, {80, 100});
  EXPECT_NEAR(le.x, 23.3, 1e-9);
  EXPECT_NEAR(le.y, 29.7, 1e-9);
  // A mouth further from the eyes than 2 |e2e| / 1.8 sets the scale instead: |e2m| = 60 -> 108.
  FaceLandmarks long_face = upright();
  long_face.left_mouth.y = long_face.right_mouth.y = 160;
  EXPECT_DOUBLE_EQ(celebahq_quad(long_face, 64).x.x, 108);
}

// A gray photo with two bright eye dots; `textured` adds a fine pattern (something for the
// padding to continue).
cv::Mat photo_with_eyes(int w, int h, const FaceLandmarks& lm, bool textured = true) {
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(90, 90, 90));
  if (textured)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b(80 + x % 7, 80 + y % 5, 90);
  cv::circle(img, lm.left_eye, 3, cv::Scalar(255, 255, 255), cv::FILLED);
  cv::circle(img, lm.right_eye, 3, cv::Scalar(255, 255, 255), cv::FILLED);
  return img;
}

cv::Point2d brightest(const cv::Mat& rgb, cv::Rect region) {
  cv::Mat gray;
  cv::cvtColor(rgb(region), gray, cv::COLOR_RGB2GRAY);
  cv::Mat f;
  gray.convertTo(f, CV_64F);
  // Intensity-weighted centroid of the bright spot: the part above half way from the region's
  // darkest to its brightest value.
  double sx = 0, sy = 0, sw = 0, low = 0, peak = 0;
  cv::minMaxLoc(f, &low, &peak);
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) {
      const double v = f.at<double>(y, x) - (low + 0.5 * (peak - low));
      if (v > 0) sx += v * x, sy += v * y, sw += v;
    }
  return {region.x + sx / sw, region.y + sy / sw};
}

void expect_eyes_where_predicted(const cv::Mat& photo, const FaceLandmarks& lm, int size, double tolerance) {
  const cv::Mat out = align_face(photo, lm, size);
  ASSERT_EQ(out.rows, size);
  ASSERT_EQ(out.cols, size);
  ASSERT_EQ(out.type(), CV_8UC3);
  const AlignQuad q = celebahq_quad(lm, size);
  const cv::Point2d want_l = aligned_position(q, size, lm.left_eye), want_r = aligned_position(q, size, lm.right_eye);
  const cv::Point2d got_l = brightest(out, cv::Rect(0, 0, size / 2, size / 2 + size / 4));
  const cv::Point2d got_r = brightest(out, cv::Rect(size / 2, 0, size / 2, size / 2 + size / 4));
  EXPECT_NEAR(got_l.x, want_l.x, tolerance);
  EXPECT_NEAR(got_l.y, want_l.y, tolerance);
  EXPECT_NEAR(got_r.x, want_r.x, tolerance);
  EXPECT_NEAR(got_r.y, want_r.y, tolerance);
  // Upright output: both eyes on one row, the left one on the left.
  EXPECT_NEAR(got_l.y, got_r.y, 2 * tolerance);
  EXPECT_LT(got_l.x, got_r.x);
}

TEST(FaceAlign, EyesLandWhereTheQuadPutsThem) {
  const FaceLandmarks lm = upright({28, 28});
  expect_eyes_where_predicted(photo_with_eyes(256, 256, lm), lm, 64, 0.6);
}

TEST(FaceAlign, RotatedFacesComeOutUpright) {
  const cv::Point2d centre(128, 128);
  const cv::Mat rot = cv::getRotationMatrix2D(centre, 30, 1.0);
  auto turn = [&](cv::Point2d p) {
    return cv::Point2d(rot.at<double>(0, 0) * p.x + rot.at<double>(0, 1) * p.y + rot.at<double>(0, 2),
                       rot.at<double>(1, 0) * p.x + rot.at<double>(1, 1) * p.y + rot.at<double>(1, 2));
  };
  const FaceLandmarks base = upright({28, 28});
  const FaceLandmarks lm{turn(base.left_eye), turn(base.right_eye), turn(base.nose), turn(base.left_mouth),
                         turn(base.right_mouth)};
  expect_eyes_where_predicted(photo_with_eyes(256, 256, lm), lm, 64, 0.8);
}

TEST(FaceAlign, FacesAtThePhotoEdgeArePaddedNotBlack) {
  const FaceLandmarks lm = upright({-50, -60});  // the quad leaves the photo at the top and left
  const cv::Mat photo = photo_with_eyes(200, 200, lm);
  expect_eyes_where_predicted(photo, lm, 64, 0.8);
  const cv::Mat out = align_face(photo, lm, 64);
  const cv::Vec3b corner = out.at<cv::Vec3b>(0, 0);
  EXPECT_GT(corner[0] + corner[1] + corner[2], 150) << "the synthesised border continues the photo";
}

TEST(FaceAlign, LargePhotosAreShrunkFirst) {
  // zoom = 16 / 160 = 0.1: the photo is shrunk 5x before the warp (the eye dots become
  // sub-pixel, so the photo is plain: a texture would bias their centroids).
  const FaceLandmarks lm = upright({28, 28});
  expect_eyes_where_predicted(photo_with_eyes(256, 256, lm, false), lm, 16, 0.8);
}

}  // namespace
}  // namespace gankit
