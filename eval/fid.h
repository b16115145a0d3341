// Fréchet distance between two feature sets (FID when the features are Inception's pool3,
// Heusel et al. 2017): each set summarised by its mean and covariance, and
//   FID = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2)).
// Everything in float64. Tr((S1 S2)^(1/2)) is computed from a symmetric problem: with
// S1 = A A^T (A = V diag(sqrt(w)) from S1's eigendecomposition), S1 S2 is similar to the
// symmetric positive semi-definite A^T S2 A, whose eigenvalues' square roots sum to the trace.
// This is exact for rank-deficient covariances (fewer images than dimensions), where the general
// matrix square root that pytorch-fid takes (scipy.linalg.sqrtm of S1 S2) is ill-conditioned.
#pragma once

#include <cstdint>
#include <vector>

#include "feature_matrix.h"

namespace gankit {

struct FeatureMoments {
  int64_t count = 0, dim = 0;
  std::vector<double> mean;  // (D)
  std::vector<double> cov;   // (D, D), unbiased (divided by N - 1), symmetric
};

// Mean and covariance of the rows of `f` (N >= 2), accumulated in float64 by blocks of rows:
// memory O(D^2 + 512 D), every core (OpenBLAS dsyrk). Throws Error(Data) for N < 2.
FeatureMoments feature_moments(const FeatureMatrix& f);

struct FrechetTerms {
  double mean_term = 0;   // |mu1 - mu2|^2
  double trace_term = 0;  // Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2))
  double value() const { return mean_term + trace_term; }
};

// Throws Error(Data) when the dimensions differ.
FrechetTerms frechet_distance(const FeatureMoments& a, const FeatureMoments& b);

}  // namespace gankit
