#!/usr/bin/python3
"""Reference implementations of gankit's feature-space metrics and resizers, written with
numpy/scipy (and PIL / torch for the resizers) the way the public reference code computes them:
pytorch-fid's FID (scipy.linalg.sqrtm of S1 S2), torch-fidelity's KID (float32 kernels,
RandomState subsets), clovaai's precision/recall/density/coverage (full distance matrices),
clean-fid's PIL resizer and pytorch-fid's bilinear interpolation. The tests and bench/ compare
gankit against these on the same inputs.

  reference_feature_metrics.py fid  REAL.npy FAKE.npy
  reference_feature_metrics.py kid  REAL.npy FAKE.npy [--subsets 100 --subset-size 1000 --seed 2020]
  reference_feature_metrics.py prdc REAL.npy FAKE.npy [--k-pr 3 --k-dc 5]
  reference_feature_metrics.py resize IMAGES.npy OUT.npy --mode clean|legacy-pytorch|legacy-tf --size S
  reference_feature_metrics.py features IMAGES.npy OUT.npy --backbone NET.pt --mode MODE

Features: float32 (N, D) .npy. Images: uint8 (N, H, W, C) .npy; OUT: float32 (N, C, S, S) for
resize, the TorchScript backbone's (N, D) output on the resized images (grey repeated to RGB) for
features.
Prints one JSON object (the metric's values and the seconds it took)."""
import argparse
import json
import sys
import time

import numpy as np


def fid(real, fake):
    from scipy import linalg
    mu1, mu2 = real.mean(0, dtype=np.float64), fake.mean(0, dtype=np.float64)
    s1 = np.cov(real.astype(np.float64), rowvar=False)
    s2 = np.cov(fake.astype(np.float64), rowvar=False)
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():  # pytorch-fid's fallback for a singular product
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return {"fid": float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))}


def fid_eigh(real, fake):
    """The same distance from the symmetric problem (float64), a second opinion where sqrtm is unstable."""
    mu1, mu2 = real.mean(0, dtype=np.float64), fake.mean(0, dtype=np.float64)
    s1 = np.cov(real.astype(np.float64), rowvar=False)
    s2 = np.cov(fake.astype(np.float64), rowvar=False)
    w, v = np.linalg.eigh(s1)
    a = v * np.sqrt(np.clip(w, 0, None))
    m = a.T @ s2 @ a
    lam = np.linalg.eigvalsh((m + m.T) / 2)
    diff = mu1 - mu2
    return {"fid": float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(lam, 0, None)).sum())}


def mmd2_unbiased(kxx, kxy, kyy):
    m = kxx.shape[0]
    return ((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * kxy.sum() / m**2


def kid(real, fake, subsets, subset_size, seed, dtype):
    rng = np.random.RandomState(seed)
    d = real.shape[1]
    values = np.zeros(subsets)
    for i in range(subsets):
        x = fake[rng.choice(len(fake), subset_size, replace=False)].astype(dtype)
        y = real[rng.choice(len(real), subset_size, replace=False)].astype(dtype)
        k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
        values[i] = mmd2_unbiased(k(x, x), k(x, y), k(y, y))
    return {"kid": float(values.mean()), "kid_mean": float(values.mean()), "kid_std": float(values.std()),
            "values": values.tolist()}


def distances(a, b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    d2 = (a64**2).sum(1)[:, None] + (b64**2).sum(1)[None, :] - 2 * a64 @ b64.T
    return np.sqrt(np.clip(d2, 0, None))


def kth(d, k):
    return np.partition(d, k, axis=1)[:, k]  # (k+1)-th smallest: the point itself counts


def prdc(real, fake, k_pr, k_dc):
    drr, dff, drf = distances(real, real), distances(fake, fake), distances(real, fake)
    pr_r, dc_r, pr_f = kth(drr, k_pr), kth(drr, k_dc), kth(dff, k_pr)
    return {
        "precision": float((drf < pr_r[:, None]).any(axis=0).mean()),
        "recall": float((drf < pr_f[None, :]).any(axis=1).mean()),
        "density": float((drf < dc_r[:, None]).sum(axis=0).mean() / k_dc),
        "coverage": float((drf.min(axis=1) < dc_r).mean()),
    }


def resize(images, mode, size):
    n, h, w, c = images.shape
    out = np.zeros((n, c, size, size), np.float32)
    if mode == "clean":
        from PIL import Image
        for i in range(n):
            for ch in range(c):
                im = Image.fromarray(images[i, :, :, ch].astype(np.float32), mode="F")
                out[i, ch] = np.asarray(im.resize((size, size), resample=Image.BICUBIC)).clip(0, 255)
    elif mode == "legacy-pytorch":
        import torch
        x = torch.from_numpy(images.astype(np.float32)).permute(0, 3, 1, 2)
        out[:] = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).numpy()
    elif mode == "legacy-tf":  # tf.compat.v1.image.resize_bilinear(align_corners=False): src = dst * in / out
        def axis(n_in):  # in float32, as TF's kernel
            src = np.arange(size, dtype=np.float32) * (np.float32(n_in) / np.float32(size))
            i0 = np.floor(src).astype(int)
            return i0, np.minimum(i0 + 1, n_in - 1), (src - i0).astype(np.float32)
        y0, y1, fy = axis(h)
        x0, x1, fx = axis(w)
        x = images.astype(np.float32).transpose(0, 3, 1, 2)
        top = x[:, :, y0][:, :, :, x0] * (1 - fx) + x[:, :, y0][:, :, :, x1] * fx
        bottom = x[:, :, y1][:, :, :, x0] * (1 - fx) + x[:, :, y1][:, :, :, x1] * fx
        out[:] = top + (bottom - top) * fy[:, None]
    else:
        sys.exit(f"unknown mode {mode}")
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["fid", "fid-eigh", "kid", "kid64", "prdc", "resize", "features"])
    p.add_argument("--backbone")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--subsets", type=int, default=100)
    p.add_argument("--subset-size", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--k-pr", type=int, default=3)
    p.add_argument("--k-dc", type=int, default=5)
    p.add_argument("--mode", default="clean")
    p.add_argument("--size", type=int, default=299)
    a = p.parse_args()
    start = time.time()
    if a.what == "resize":
        np.save(a.b, resize(np.load(a.a), a.mode, a.size))
        out = {}
    elif a.what == "features":  # --mode may list several: OUT.npy becomes OUT-<mode>.npy for each
        import torch
        net = torch.jit.load(a.backbone)
        modes = a.mode.split(",")
        for mode in modes:
            x = resize(np.load(a.a), mode, int(net.input_size))
            if x.shape[1] == 1:
                x = np.repeat(x, 3, axis=1)
            with torch.no_grad():
                f = net(torch.from_numpy(x)).numpy()
            np.save(a.b if len(modes) == 1 else a.b.replace(".npy", f"-{mode}.npy"), f)
        out = {}
    else:
        real, fake = np.load(a.a), np.load(a.b)
        if a.what == "fid":
            out = fid(real, fake)
        elif a.what == "fid-eigh":
            out = fid_eigh(real, fake)
        elif a.what in ("kid", "kid64"):
            out = kid(real, fake, a.subsets, a.subset_size, a.seed, np.float32 if a.what == "kid" else np.float64)
        else:
            out = prdc(real, fake, a.k_pr, a.k_dc)
    out["seconds"] = time.time() - start
    print(json.dumps(out))


if __name__ == "__main__":
    main()
