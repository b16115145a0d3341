// CelebA-HQ-style face alignment (Karras et al. 2018, appendix C; spec DATASETS.md) from five
// landmarks: an oriented square ("quad") around the eyes and mouth, and the photo resampled so
// that the quad becomes an S x S image.
//
// quad: eye_avg = (le + re) / 2 + 0.5, mouth_avg = (lm + rm) / 2 + 0.5, e2e = re - le,
// e2m = mouth_avg - eye_avg; x = e2e - rot90(e2m), rot90(v) = (-v.y, v.x), scaled to length
// max(2 |e2e|, 1.8 |e2m|); y = rot90(x); c = eye_avg + 0.1 e2m; quad = [c - x - y, c - x + y,
// c + x + y, c + x - y] (top-left, bottom-left, bottom-right, top-right); zoom = S / (2 |x|).
// Resampling follows the official create_celebahq: shrink with antialiasing when
// floor(0.5 / zoom) > 1; crop to the quad's box plus a border of max(round(0.1 S / zoom), 3);
// enlarge by the power of two >= zoom; where the quad leaves the photo, reflect-pad (at least
// round(0.3 S / zoom)) and blend the padding toward a Gaussian blur (sigma 0.02 S / zoom) and
// the per-channel median with a mask growing away from the photo's edge; warp the quad to 4S x 4S
// bilinearly (PIL's QUAD transform, affine for this parallelogram) and average down to S x S.
// Photo coordinates: pixel centres at integers, x right, y down; images RGB uint8 HWC.
#pragma once

#include <array>
#include <opencv2/core.hpp>

namespace gankit {

struct FaceLandmarks {
  cv::Point2d left_eye, right_eye, nose, left_mouth, right_mouth;
};

struct AlignQuad {
  std::array<cv::Point2d, 4> quad;  // top-left, bottom-left, bottom-right, top-right
  cv::Point2d center, x, y;
  double zoom = 1;
};

AlignQuad celebahq_quad(const FaceLandmarks& landmarks, int size);

// The photo point `p` in the aligned S x S output's pixel coordinates (where an eye lands).
cv::Point2d aligned_position(const AlignQuad& quad, int size, cv::Point2d p);

// The aligned S x S RGB face of an RGB (or gray) photo.
cv::Mat align_face(const cv::Mat& photo, const FaceLandmarks& landmarks, int size);

}  // namespace gankit
