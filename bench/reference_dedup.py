#!/usr/bin/env python3
"""Throughput reference for gan-data dedup hash: the same pipeline written the usual Python way.

For every image file of a folder (sorted): PIL decode, RGB, centre square crop, BOX reduce to
64x64 when larger, Gaussian blur of 0.7 thumbnail pixels, bicubic resize to 32x32 (the
thumbnail of datasets/thumbnails.h), float32 / 255, one 3072x128 projection with numpy (random weights: the arithmetic of the
encoder, not a trained model), bits = projection > 0, bucketed in a dict. Prints
"images seconds groups".

Usage: reference_dedup.py FOLDER
"""
import os, sys, time
import numpy as np
from PIL import Image, ImageFilter


def main():
    folder = sys.argv[1]
    t0 = time.time()
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    w = np.random.RandomState(0).normal(0, 0.02, (3072, 128)).astype(np.float32)
    b = np.zeros(128, np.float32)
    buckets = {}
    batch, names = [], []

    def flush():
        x = np.stack(batch).reshape(len(batch), -1).astype(np.float32) / 255.0
        bits = np.packbits((x @ w + b) > 0, axis=1)
        for n, h in zip(names, bits):
            buckets.setdefault(h.tobytes(), []).append(n)
        batch.clear()
        names.clear()

    for f in files:
        im = Image.open(os.path.join(folder, f)).convert("RGB")
        s = min(im.size)
        l, t = (im.size[0] - s) // 2, (im.size[1] - s) // 2
        im = im.crop((l, t, l + s, t + s))
        if s > 64:
            im, s = im.resize((64, 64), Image.BOX), 64
        im = im.filter(ImageFilter.GaussianBlur(0.7 * s / 32)).resize((32, 32), Image.BICUBIC)
        batch.append(np.asarray(im).transpose(2, 0, 1))
        names.append(f)
        if len(batch) == 1024:
            flush()
    if batch:
        flush()
    groups = sum(1 for v in buckets.values() if len(v) > 1)
    print(len(files), round(time.time() - t0, 2), groups)


if __name__ == "__main__":
    main()
