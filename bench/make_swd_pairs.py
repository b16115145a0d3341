#!/usr/bin/python3
"""Input pairs for the SWD benchmarks, uint8 NHWC .npy, 128x128 RGB, deterministic:

  far     Fashion-MNIST items upscaled and tinted ("real") against other items plus noise:
          two very different distributions (the 1-D step's best case)
  photos  two disjoint halves of one collection of natural-photo tiles (scikit-image's sample
          photos cut at random scales and positions, flipped, rotated): two draws of one
          distribution, the situation of a good generator against its training data (the 1-D
          step's worst case: the projections' CDFs cross everywhere)
  (with far: 1000 reals against blurred + noised copies of themselves, the MS-SSIM pairs)

  make_swd_pairs.py OUT_DIR far          -> {real,fake}{4096,1024}.npy, ms_{a,b}.npy
  make_swd_pairs.py OUT_DIR photos N     -> photos_{a,b}N.npy
"""
import gzip
import os
import sys

import numpy as np
import scipy.ndimage
from PIL import Image

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg", "ihc.png", "motorcycle_left.png",
          "retina.jpg", "rocket.jpg", "camera.png", "coins.png", "moon.png", "grass.png", "gravel.png", "brick.png",
          "page.png", "text.png"]


def fashion_items(idx, rng):
    raw = np.frombuffer(gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").read()[16:],
                        np.uint8).reshape(-1, 28, 28)
    img = np.pad(raw[idx].astype(np.float32), [(0, 0), (2, 2), (2, 2)]).repeat(4, 1).repeat(4, 2)
    img = scipy.ndimage.uniform_filter(img, (1, 5, 5))
    tint = rng.uniform(0.4, 1.0, (len(idx), 1, 1, 3)).astype(np.float32)
    bg = rng.uniform(0, 80, (len(idx), 1, 1, 3)).astype(np.float32)
    return np.clip(img[..., None] * tint + bg, 0, 255)


def far_and_ms(out):
    """real/fake 4096 and their first 1024, and the MS-SSIM pairs, from one random stream."""
    rng = np.random.RandomState(0)
    real = fashion_items(np.arange(4096), rng)
    fake = fashion_items(np.arange(30000, 34096), rng) + rng.normal(0, 6, real.shape)
    np.save(f"{out}/real4096.npy", np.uint8(real))
    np.save(f"{out}/fake4096.npy", np.uint8(np.clip(fake, 0, 255)))
    np.save(f"{out}/real1024.npy", np.uint8(real[:1024]))
    np.save(f"{out}/fake1024.npy", np.uint8(np.clip(fake[:1024], 0, 255)))
    a = np.uint8(real[:1000])
    b = scipy.ndimage.gaussian_filter(real[:1000], (0, 1, 1, 0)) + rng.normal(0, 4, a.shape)
    np.save(f"{out}/ms_a.npy", a)
    np.save(f"{out}/ms_b.npy", np.uint8(np.clip(b, 0, 255)))


def photos(out, n):
    images = [np.asarray(Image.open(os.path.join(SKIMAGE, name)).convert("RGB")) for name in PHOTOS]
    rng = np.random.RandomState(0)
    tiles = np.zeros((2 * n, 128, 128, 3), np.uint8)
    for i in range(2 * n):
        p = images[rng.randint(len(images))]
        h, w = p.shape[:2]
        side = rng.randint(64, min(h, w) + 1)
        y, x = rng.randint(0, h - side + 1), rng.randint(0, w - side + 1)
        tile = np.asarray(Image.fromarray(p[y:y + side, x:x + side]).resize((128, 128), Image.BILINEAR))
        if rng.rand() < 0.5:
            tile = tile[:, ::-1]
        tiles[i] = np.rot90(tile, rng.randint(4))
    np.save(f"{out}/photos_a{n}.npy", tiles[0::2])
    np.save(f"{out}/photos_b{n}.npy", tiles[1::2])


if __name__ == "__main__":
    out, kind = sys.argv[1], sys.argv[2]
    if kind == "far":
        far_and_ms(out)
    else:
        photos(out, int(sys.argv[3]))
