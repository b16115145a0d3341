// Precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020)
// of FAKE against REAL, in feature space, with the definitions of clovaai's reference code:
// Euclidean distances; the radius r_k(x) of a point is its distance to the k-th nearest other
// point of its own set (the (k+1)-th smallest distance, the point itself counting at 0, and a
// duplicate at 0 too); comparisons are strict.
//   precision = share of fakes f with some real r: d(r, f) < r_k(r)
//   recall    = share of reals r with some fake f: d(r, f) < r_k(f)
//   density   = (1/k) * mean over fakes f of #{real r: d(r, f) < r_k(r)}
//   coverage  = share of reals r whose nearest fake is closer than r_k(r)
// Precision/recall use k = k_pr (3, Kynkäänniemi's), density/coverage k = k_dc (5, Naeem's);
// clovaai's code uses one k for all four: pass the same k twice to reproduce it.
//
// No N x N matrix is built: distances come block by block from float32 GEMMs (every core), with
// a running k-smallest selection; memory is O(256 x N) floats beyond the features. A decision
// a float32 distance cannot make for sure (within its rounding bound of the threshold) is made
// on the distance recomputed in float64 from the features, and radii are the float64 distances
// of the nearest candidates, so the results are those of float64 arithmetic and do not depend
// on the thread count or the order of the rows.
#pragma once

#include <cstdint>

#include "feature_matrix.h"

namespace gankit {

struct PrdcOptions {
  int k_pr = 3;
  int k_dc = 5;
};

struct PrdcResult {
  double precision = 0, recall = 0, density = 0, coverage = 0;
  int64_t rechecked = 0;  // pairs decided on the float64 distance
};

// Throws Error(Usage) when a set has no more than k images, and Error(Data) when the dimensions
// differ.
PrdcResult precision_recall_density_coverage(const FeatureMatrix& real, const FeatureMatrix& fake,
                                             const PrdcOptions& options);

}  // namespace gankit
