#include "face_align.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace gankit {

namespace {

cv::Point2d rot90(cv::Point2d v) { return {-v.y, v.x}; }
double norm(cv::Point2d v) { return std::hypot(v.x, v.y); }

struct Box {
  int x0, y0, x1, y1;
};
Box bounds(const std::array<cv::Point2d, 4>& q) {
  double x0 = q[0].x, y0 = q[0].y, x1 = q[0].x, y1 = q[0].y;
  for (const auto& p : q) {
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  return {static_cast<int>(std::floor(x0)), static_cast<int>(std::floor(y0)), static_cast<int>(std::ceil(x1)),
          static_cast<int>(std::ceil(y1))};
}

void scale_quad(std::array<cv::Point2d, 4>& q, double s) {
  for (auto& p : q) p *= s;
}
void shift_quad(std::array<cv::Point2d, 4>& q, cv::Point2d d) {
  for (auto& p : q) p += d;
}

// Exact per-channel median of a float image (numpy's: the mean of the two middle values).
cv::Scalar channel_median(const cv::Mat& f) {
  cv::Scalar out;
  std::vector<cv::Mat> planes;
  cv::split(f, planes);
  for (size_t c = 0; c < planes.size(); ++c) {
    std::vector<float> v(planes[c].begin<float>(), planes[c].end<float>());
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + mid, v.end());
    double m = v[mid];
    if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2;
    out[static_cast<int>(c)] = m;
  }
  return out;
}

}  // namespace

AlignQuad celebahq_quad(const FaceLandmarks& lm, int size) {
  const cv::Point2d eye_avg = (lm.left_eye + lm.right_eye) * 0.5 + cv::Point2d(0.5, 0.5);
  const cv::Point2d mouth_avg = (lm.left_mouth + lm.right_mouth) * 0.5 + cv::Point2d(0.5, 0.5);
  const cv::Point2d e2e = lm.right_eye - lm.left_eye, e2m = mouth_avg - eye_avg;
  AlignQuad q;
  q.x = e2e - rot90(e2m);
  q.x *= 1.0 / norm(q.x);
  q.x *= std::max(2.0 * norm(e2e), 1.8 * norm(e2m));
  q.y = rot90(q.x);
  q.center = eye_avg + e2m * 0.1;
  q.quad = {q.center - q.x - q.y, q.center - q.x + q.y, q.center + q.x + q.y, q.center + q.x - q.y};
  q.zoom = size / (2.0 * norm(q.x));
  return q;
}

cv::Point2d aligned_position(const AlignQuad& q, int size, cv::Point2d p) {
  // p - quad[0] = u * 2x + v * 2y with x perpendicular to y and |x| = |y|.
  const cv::Point2d d = p - q.quad[0];
  const double len2 = 4.0 * q.x.dot(q.x);
  const double u = d.dot(2.0 * q.x) / len2, v = d.dot(2.0 * q.y) / len2;
  return {u * size - 0.5, v * size - 0.5};
}

cv::Mat align_face(const cv::Mat& photo, const FaceLandmarks& lm, int size) {
  cv::Mat img;
  if (photo.channels() == 1)
    cv::cvtColor(photo, img, cv::COLOR_GRAY2RGB);
  else
    img = photo;
  AlignQuad q = celebahq_quad(lm, size);
  auto& quad = q.quad;
  double zoom = q.zoom;

  const int shrink = static_cast<int>(std::floor(0.5 / zoom));
  if (shrink > 1) {
    cv::Mat small;
    cv::resize(img, small,
               cv::Size(static_cast<int>(std::lround(static_cast<double>(img.cols) / shrink)),
                        static_cast<int>(std::lround(static_cast<double>(img.rows) / shrink))),
               0, 0, cv::INTER_AREA);
    img = small;
    scale_quad(quad, 1.0 / shrink);
    zoom *= shrink;
  }

  const int border = std::max(static_cast<int>(std::lround(size * 0.1 / zoom)), 3);
  Box crop = bounds(quad);
  crop = {std::max(crop.x0 - border, 0), std::max(crop.y0 - border, 0), std::min(crop.x1 + border, img.cols),
          std::min(crop.y1 + border, img.rows)};
  if (crop.x1 - crop.x0 < img.cols || crop.y1 - crop.y0 < img.rows) {
    img = img(cv::Rect(crop.x0, crop.y0, crop.x1 - crop.x0, crop.y1 - crop.y0)).clone();
    shift_quad(quad, {-static_cast<double>(crop.x0), -static_cast<double>(crop.y0)});
  }

  const int superres = static_cast<int>(std::exp2(std::ceil(std::log2(zoom))));
  if (superres > 1) {
    cv::Mat big;
    cv::resize(img, big, cv::Size(img.cols * superres, img.rows * superres), 0, 0, cv::INTER_LANCZOS4);
    img = big;
    scale_quad(quad, superres);
    zoom /= superres;
  }

  const Box b = bounds(quad);
  int pad[4] = {std::max(-b.x0 + border, 0), std::max(-b.y0 + border, 0), std::max(b.x1 - img.cols + border, 0),
                std::max(b.y1 - img.rows + border, 0)};
  if (*std::max_element(pad, pad + 4) > border - 4) {
    const int least = static_cast<int>(std::lround(size * 0.3 / zoom));
    for (int& p : pad) p = std::max(p, least);
    cv::Mat f;
    img.convertTo(f, CV_32FC3);
    cv::copyMakeBorder(f, f, pad[1], pad[3], pad[0], pad[2], cv::BORDER_REFLECT_101);
    const int h = f.rows, w = f.cols;
    cv::Mat mask(h, w, CV_32F);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        mask.at<float>(y, x) =
            1.0f - std::min(std::min(static_cast<float>(x) / pad[0], static_cast<float>(y) / pad[1]),
                            std::min(static_cast<float>(w - 1 - x) / pad[2], static_cast<float>(h - 1 - y) / pad[3]));
    const double blur = size * 0.02 / zoom;
    cv::Mat g;
    cv::GaussianBlur(f, g, cv::Size(0, 0), blur, blur, cv::BORDER_REFLECT);
    cv::Mat m3, w_blur, w_median;
    cv::Mat blur_weight = cv::min(cv::max(mask * 3.0f + 1.0f, 0.0f), 1.0f),
            median_weight = cv::min(cv::max(mask, 0.0f), 1.0f);
    cv::merge(std::vector<cv::Mat>(3, blur_weight), w_blur);
    cv::merge(std::vector<cv::Mat>(3, median_weight), w_median);
    f += (g - f).mul(w_blur);
    const cv::Scalar med = channel_median(f);
    cv::Mat med_img(f.size(), CV_32FC3, med);
    f += (med_img - f).mul(w_median);
    f.convertTo(img, CV_8UC3);  // rounds and saturates to 0..255
    shift_quad(quad, {static_cast<double>(pad[0]), static_cast<double>(pad[1])});
  }

  // Output pixel (X, Y) of the 4S x 4S target samples quad[0] + (quad[3] - quad[0]) (X + 0.5) / 4S +
  // (quad[1] - quad[0]) (Y + 0.5) / 4S (PIL's QUAD transform on quad + 0.5, bilinear).
  const double big = 4.0 * size;
  const cv::Point2d ax = (quad[3] - quad[0]) * (1.0 / big), ay = (quad[1] - quad[0]) * (1.0 / big);
  const cv::Mat m = (cv::Mat_<double>(2, 3) << ax.x, ay.x, quad[0].x + 0.5 * (ax.x + ay.x), ax.y, ay.y,
                     quad[0].y + 0.5 * (ax.y + ay.y));
  cv::Mat warped, out;
  cv::warpAffine(img, warped, m, cv::Size(4 * size, 4 * size), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_CONSTANT, cv::Scalar::all(0));
  cv::resize(warped, out, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace gankit
