#!/usr/bin/python3
"""The linear L2-SVM of DCGAN's feature benchmark solved independently of liblinear: for each class
(one-vs-rest, y = +-1) the primal  0.5 |w|^2 + C sum_i max(0, 1 - y_i w.[x_i, 1])^2  (the intercept
is the weight of a constant feature 1, regularised like the others, as LinearSVC / liblinear with
bias 1) minimised by scipy's L-BFGS to a gradient of 1e-10. The problem is strictly convex: its
minimiser is unique, so a correct dual solver must reach the same weights.

  reference_svm.py X.npy Y.npy C   -> prints {"classes": [...], "weights": [[w..., b], ...]}
                                       (X float32 (N, D), Y int64 (N); classes sorted; two classes
                                       give one function, positive = the first class of Y)
"""
import json
import sys

import numpy as np
from scipy.optimize import minimize


def fit(x1, y, c):
    def f(w):
        m = np.maximum(0.0, 1.0 - y * (x1 @ w))
        return 0.5 * w @ w + c * (m @ m), w - 2.0 * c * (x1.T @ (m * y))
    r = minimize(f, np.zeros(x1.shape[1]), jac=True, method="L-BFGS-B", options={"gtol": 1e-10, "maxiter": 100000})
    return r.x


def main():
    x = np.load(sys.argv[1]).astype(np.float64)
    y = np.load(sys.argv[2])
    c = float(sys.argv[3])
    x1 = np.hstack([x, np.ones((len(x), 1))])
    order = list(dict.fromkeys(y.tolist()))  # first appearance, as liblinear
    targets = order[:1] if len(order) == 2 else order
    weights = [fit(x1, np.where(y == k, 1.0, -1.0), c).tolist() for k in targets]
    print(json.dumps({"classes": order, "weights": weights}))


if __name__ == "__main__":
    main()
