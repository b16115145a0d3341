#!/usr/bin/env python3
"""Builds the near-duplicate benchmark of gan-data dedup from real images.

Originals (distinct images): the 70,000 Fashion-MNIST images (train + test) and up to 64
non-overlapping 64x64 tiles with visible structure from each of 18 scikit-image sample photos.
A random fraction of the originals gets one near-duplicate of each kind, made with PIL:
  jpeg        re-encoded as JPEG, quality 70..95
  resize      rescaled by 0.75..0.9 or 1.1..1.5 (bicubic)
  crop        2..6 % cut from each side independently
  shift       translated by 1..2 pixels in x and/or y (edge pixels repeated)
  brightness  brightness factor 0.85..0.95 or 1.05..1.15
Files get shuffled names, so a copy may come before its original. truth.csv maps every file to
its family (the original's id) and kind; score_dedup.py scores a groups file against it.

Usage: make_dedup_benchmark.py OUT_DIR [--fraction 0.1] [--seed 0] [--fm DIR] [--photos DIR] [--limit-fm N]
"""
import argparse, csv, gzip, io, os, random, struct
import numpy as np
from PIL import Image, ImageEnhance

PHOTOS = ["astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "clock_motion.png",
          "coffee.png", "coins.png", "grass.png", "gravel.png", "ihc.png", "moon.png", "motorcycle_left.png",
          "hubble_deep_field.jpg", "retina.jpg", "rocket.jpg", "page.png", "text.png"]
KINDS = ["jpeg", "resize", "crop", "shift", "brightness"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        return np.frombuffer(f.read(), np.uint8).reshape(n, h, w)


def tiles(photo_dir, rng, side=64, min_std=15.0, per_photo=64):
    """Non-overlapping tiles with visible structure at thumbnail scale (std of the 8x8 means of
    the tile >= min_std: black borders, sky and flat tissue are not distinct images), at most
    per_photo of each photo so that no single texture dominates."""
    out = []
    for name in PHOTOS:
        im = Image.open(os.path.join(photo_dir, name))
        im = im.convert("RGB") if im.mode not in ("L", "RGB") else im
        a = np.asarray(im)
        found = []
        for y in range(0, a.shape[0] - side + 1, side):
            for x in range(0, a.shape[1] - side + 1, side):
                t = a[y:y + side, x:x + side]
                low = t.astype(np.float32).reshape(8, 8, 8, 8, -1).mean(axis=(1, 3))
                if low.std() >= min_std:
                    found.append((f"{name}@{x},{y}", Image.fromarray(t)))
        if len(found) > per_photo:
            found = [found[i] for i in sorted(rng.sample(range(len(found)), per_photo))]
        out += found
    return out


def perturb(im, kind, rng):
    w, h = im.size
    if kind == "jpeg":
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=rng.randint(70, 95))
        return buf.getvalue(), ".jpg"
    if kind == "resize":
        s = rng.uniform(0.75, 0.9) if rng.random() < 0.5 else rng.uniform(1.1, 1.5)
        im = im.resize((max(8, round(w * s)), max(8, round(h * s))), Image.BICUBIC)
    elif kind == "crop":
        f = [rng.uniform(0.02, 0.06) for _ in range(4)]
        im = im.crop((round(w * f[0]), round(h * f[1]), w - round(w * f[2]), h - round(h * f[3])))
    elif kind == "shift":
        dx, dy = 0, 0
        while dx == 0 and dy == 0:
            dx, dy = rng.randint(-2, 2), rng.randint(-2, 2)
        a = np.asarray(im)
        a = np.pad(a, ((2, 2), (2, 2)) + ((0, 0),) * (a.ndim - 2), mode="edge")
        a = a[2 - dy:2 - dy + h, 2 - dx:2 - dx + w]
        im = Image.fromarray(np.ascontiguousarray(a))
    elif kind == "brightness":
        f = rng.uniform(0.85, 0.95) if rng.random() < 0.5 else rng.uniform(1.05, 1.15)
        im = ImageEnhance.Brightness(im).enhance(f)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue(), ".png"


def png(im):
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def write_shuffled(out, items, rng):
    """Writes items (family, kind, source, bytes, extension) as OUT/images/imgNNNNNNN.EXT in an
    order shuffled by rng, and OUT/truth.csv naming each file's family, kind and source. Returns
    the images folder."""
    order = list(range(len(items)))
    rng.shuffle(order)
    img_dir = os.path.join(out, "images")
    os.makedirs(img_dir, exist_ok=True)
    with open(os.path.join(out, "truth.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "family", "kind", "source"])
        for pos, k in enumerate(order):
            fam, kind, src, data, ext = items[k]
            name = f"img{pos:07d}{ext}"
            with open(os.path.join(img_dir, name), "wb") as g:
                g.write(data)
            w.writerow([name, fam, kind, src])
    return img_dir


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fm", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--photos", default="/usr/lib/python3/dist-packages/skimage/data")
    ap.add_argument("--limit-fm", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    fm = np.concatenate([read_idx(os.path.join(a.fm, "train-images-idx3-ubyte.gz")),
                         read_idx(os.path.join(a.fm, "t10k-images-idx3-ubyte.gz"))])
    if a.limit_fm:
        fm = fm[:a.limit_fm]
    originals = [(f"fashion-mnist#{i}", Image.fromarray(fm[i])) for i in range(len(fm))]
    originals += tiles(a.photos, rng)
    items = []  # (family, kind, bytes, ext)
    for fam, (src, im) in enumerate(originals):
        items.append((fam, "original", src, png(im), ".png"))
        if rng.random() < a.fraction:
            for kind in KINDS:
                data, ext = perturb(im, kind, rng)
                items.append((fam, kind, src, data, ext))
    img_dir = write_shuffled(a.out, items, rng)
    n_dup = sum(1 for it in items if it[1] != "original")
    print(f"{len(originals)} originals ({len(fm)} Fashion-MNIST, {len(originals) - len(fm)} photo tiles), "
          f"{n_dup} near-duplicates, {len(items)} files in {img_dir}")


if __name__ == "__main__":
    main()
