// A metric measured K times (independent draws): its mean and 95% confidence interval, and
// whether two such estimates differ by more than their noise.
#pragma once

#include <span>

namespace gankit {

struct Estimate {
  int n = 0;  // draws
  double mean = 0;
  double sd = 0;          // sample standard deviation (0 when n < 2)
  double half_width = 0;  // of the 95% Student-t interval of the mean (0 when n < 2)
};

Estimate estimate(std::span<const double> values);

// Welch's test at 95%: true when the interval of mean(a) - mean(b), with Welch-Satterthwaite
// degrees of freedom, contains 0, i.e. the draws cannot tell a from b. False when either has
// fewer than 2 draws (nothing can be said: callers report that separately).
bool within_noise(const Estimate& a, const Estimate& b);

}  // namespace gankit
