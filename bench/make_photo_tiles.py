#!/usr/bin/python3
"""Natural-photo tiles for the SWD benchmark: 128x128 RGB crops of scikit-image's sample photos
(python3-skimage), at random scales and positions, flipped and rotated; two disjoint halves of
one collection are two draws of one distribution (the situation of a good generator against
its training data).

  make_photo_tiles.py OUT_DIR N     -> OUT_DIR/photos_a{N}.npy, photos_b{N}.npy (uint8 NHWC)
"""
import os
import sys

import numpy as np
from PIL import Image

DATA = "/usr/lib/python3/dist-packages/skimage/data"
NAMES = ["astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg", "ihc.png", "motorcycle_left.png",
         "retina.jpg", "rocket.jpg", "camera.png", "coins.png", "moon.png", "grass.png", "gravel.png", "brick.png",
         "page.png", "text.png"]


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    photos = [np.asarray(Image.open(os.path.join(DATA, name)).convert("RGB")) for name in NAMES]
    rng = np.random.RandomState(0)
    tiles = np.zeros((2 * n, 128, 128, 3), np.uint8)
    for i in range(2 * n):
        p = photos[rng.randint(len(photos))]
        h, w = p.shape[:2]
        side = rng.randint(64, min(h, w) + 1)
        y, x = rng.randint(0, h - side + 1), rng.randint(0, w - side + 1)
        tile = np.asarray(Image.fromarray(p[y:y + side, x:x + side]).resize((128, 128), Image.BILINEAR))
        if rng.rand() < 0.5:
            tile = tile[:, ::-1]
        tiles[i] = np.rot90(tile, rng.randint(4))
    np.save(os.path.join(out, f"photos_a{n}.npy"), tiles[0::2])
    np.save(os.path.join(out, f"photos_b{n}.npy"), tiles[1::2])


if __name__ == "__main__":
    main()
