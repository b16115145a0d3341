// Kernel distance between two feature sets (KID when the features are Inception's pool3,
// Bińkowski et al. 2018), as torch-fidelity computes it: the unbiased estimate of the squared
// maximum mean discrepancy with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3,
//   MMD^2 = [sum_{i!=j} k(x_i,x_j) + sum_{i!=j} k(y_i,y_j)] / (m(m-1)) - 2 sum_{i,j} k(x_i,y_j) / m^2,
// over `subsets` random subsets of m = `subset_size` vectors of each set; reported as the mean
// and the standard deviation (ddof 0) over subsets.
//
// Subset s draws m of the FAKE rows, then m of the REAL rows, without replacement, from one
// numpy legacy stream seeded with `seed` (RandomState(seed).choice(n, m, replace=False), i.e.
// permutation(n)[:m]): torch-fidelity's draws for calculate_metrics(input1=FAKE, input2=REAL)
// with its default seed 2020. Dot products in float32 (OpenBLAS sgemm/ssyrk, as its float32
// numpy), kernel sums in float64; subsets run in parallel and the result does not depend on
// the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "feature_matrix.h"

namespace gankit {

struct KidOptions {
  int subsets = 100;
  int64_t subset_size = 1000;
  uint32_t seed = 2020;
};

struct KidResult {
  double mean = 0, std = 0;
  std::vector<double> values;  // MMD^2 of each subset
};

// Throws Error(Usage) when a set has fewer rows than subset_size, and Error(Data) when the
// dimensions differ.
KidResult kernel_distance(const FeatureMatrix& real, const FeatureMatrix& fake, const KidOptions& options);

}  // namespace gankit
