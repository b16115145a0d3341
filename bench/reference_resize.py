#!/usr/bin/python3
"""OpenCV's cv::resize for INTER_CUBIC and INTER_LANCZOS4 restated in numpy (float64), to check
gan-data import --resize-filter bicubic|lanczos against an implementation that is not OpenCV:
source x = (dst + 0.5) * in / out - 0.5, taps around floor(x) (4 for cubic, Keys' kernel with
a = -0.75; 8 for Lanczos with a = 4, weights normalised to sum 1), borders replicated, separable
(rows, then columns), rounded to uint8. No antialiasing when shrinking, as OpenCV.

  reference_resize.py IN_DIR OUT.npy SIZE cubic|lanczos   (PNG files of IN_DIR in name order, RGB;
                                                           OUT: uint8 (N, SIZE, SIZE, 3))
"""
import os
import sys

import numpy as np
from PIL import Image


def cubic_weights(t):
    a = -0.75
    x = t + 1  # distances 1+t, t, 1-t, 2-t to the four taps
    w0 = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    w1 = ((a + 2) * t - (a + 3)) * t * t + 1
    u = 1 - t
    w2 = ((a + 2) * u - (a + 3)) * u * u + 1
    return np.stack([w0, w1, w2, 1 - w0 - w1 - w2], -1), 1  # taps from floor(x) - 1


def lanczos_weights(t):
    d = t[:, None] + 3 - np.arange(8)[None, :]  # distance of each of the 8 taps
    w = np.where(np.abs(d) < 1e-12, 1.0, np.sinc(d) * np.sinc(d / 4))
    w[t < np.finfo(np.float32).eps] = np.eye(8)[3]
    return w / w.sum(1, keepdims=True), 3  # taps from floor(x) - 3


def matrix(n_in, n_out, kind):
    src = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    x0 = np.floor(src).astype(int)
    w, back = (cubic_weights if kind == "cubic" else lanczos_weights)(src - x0)
    m = np.zeros((n_out, n_in))
    for k in range(w.shape[1]):
        np.add.at(m, (np.arange(n_out), np.clip(x0 - back + k, 0, n_in - 1)), w[:, k])
    return m


def main():
    src, out, size, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    names = sorted(f for f in os.listdir(src) if f.endswith(".png"))
    res = []
    for name in names:
        img = np.asarray(Image.open(os.path.join(src, name)).convert("RGB"), np.float64)
        rows, cols = matrix(img.shape[0], size, kind), matrix(img.shape[1], size, kind)
        res.append(np.clip(np.rint(np.einsum("ij,jkc,lk->ilc", rows, img, cols)), 0, 255).astype(np.uint8))
    np.save(out, np.stack(res))


if __name__ == "__main__":
    main()
