#!/usr/bin/env python3
"""Builds the second near-duplicate benchmark of gan-data dedup: one that differs from the first
(make_dedup_benchmark.py) in every way the first could flatter the method.

Originals (distinct images), in equal thirds where the sources allow; an original without visible
structure at the dedup sketch's scale (std of its 8x8 grey block means under 8, 12 for photos) is
drawn again, as plain squares are duplicates of one another:
  glyph    1-3 letters or digits in one of the system's TrueType fonts (fc-list), 18-48 px, turned
           by up to 30 degrees, at a random place, in random colours on a random plain or
           two-colour gradient background; canvas 48..96 px square
  texture  three random oriented sinusoids (periods 4..40 px) over a colour gradient, plus noise;
           64x64
  photo    crops of the scikit-image sample photos at random places and scales (40..160 px, then
           64x64 with PIL's area filter); a crop overlapping an earlier crop of the same photo by
           more than a quarter of its area is drawn again (at most 120 per photo)
Sparse copies, unlike the first benchmark's dense ones: each original gets, with probability
--fraction (default 0.04), one copy of one kind:
  jpeg     PIL JPEG, quality 30..95, chroma subsampling 4:4:4, 4:2:2 or 4:2:0
  webp     PIL lossy WebP, quality 40..90
  resize   rescaled by 0.5..0.9 or 1.1..2.0 with one of PIL's NEAREST, BOX, BILINEAR, HAMMING,
           BICUBIC or LANCZOS filters (the first benchmark used bicubic only, x0.75..1.5)
Files get shuffled names, so a copy may come before its original. truth.csv has the format of the
first benchmark (score_dedup.py scores both; its --subset photo here means glyphs, textures and
photos alike).

Usage: make_dedup_benchmark_sparse.py OUT_DIR [--count 10000] [--fraction 0.04] [--seed 0]
       [--photos DIR]
"""
import argparse, io, math, os, random, subprocess, sys
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_dedup_benchmark import write_shuffled  # noqa: E402  (the same file layout and truth.csv)

PHOTOS = ["astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "clock_motion.png",
          "coffee.png", "coins.png", "grass.png", "gravel.png", "ihc.png", "moon.png", "motorcycle_left.png",
          "hubble_deep_field.jpg", "retina.jpg", "rocket.jpg", "page.png", "text.png"]
CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabdefghijkmnqrstuy0123456789"
RESAMPLERS = {"nearest": Image.NEAREST, "box": Image.BOX, "bilinear": Image.BILINEAR, "hamming": Image.HAMMING,
              "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS}


def fonts():
    out = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True).stdout.split("\n")
    return sorted(f for f in out if f.endswith(".ttf"))


def colour(rng):
    return tuple(rng.randint(0, 255) for _ in range(3))


def structured(im, min_std=8.0):
    """Whether the image has visible structure at the dedup sketch's scale (std of its 8x8 grey
    block means): plain or nearly plain squares are duplicates of one another, not distinct."""
    a = np.asarray(im.convert("L").resize((64, 64), Image.BOX), np.float32)
    return a.reshape(8, 8, 8, 8).mean(axis=(1, 3)).std() >= min_std


def glyph(rng, font_files):
    while True:
        im = glyph_once(rng, font_files)
        if structured(im):
            return im


def glyph_once(rng, font_files):
    side = rng.randint(48, 96)
    a, b = colour(rng), colour(rng)
    if rng.random() < 0.5:
        bg = Image.new("RGB", (side, side), a)
    else:  # a two-colour gradient in a random direction
        t = np.linspace(0, 1, side)[None, :] if rng.random() < 0.5 else np.linspace(0, 1, side)[:, None]
        g = np.asarray(a)[None, None, :] * (1 - t[..., None]) + np.asarray(b)[None, None, :] * t[..., None]
        bg = Image.fromarray(np.broadcast_to(g, (side, side, 3)).astype(np.uint8))
    text = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 3)))
    font = ImageFont.truetype(rng.choice(font_files), rng.randint(18, 48))
    layer = Image.new("L", (side * 2, side * 2), 0)
    ImageDraw.Draw(layer).text((side // 2, side // 2), text, font=font, fill=255)
    layer = layer.rotate(rng.uniform(-30, 30), resample=Image.BICUBIC)
    box = layer.getbbox() or (0, 0, 1, 1)
    layer = layer.crop(box)
    if layer.width > side or layer.height > side:
        layer = layer.resize((min(side, layer.width), min(side, layer.height)), Image.LANCZOS)
    x, y = rng.randint(0, side - layer.width), rng.randint(0, side - layer.height)
    ink = colour(rng)
    while abs(sum(ink) - sum(a)) < 180:  # legible: the ink differs from the background
        ink = colour(rng)
    fg = Image.new("RGB", layer.size, ink)
    bg.paste(fg, (x, y), layer)
    return bg


def texture(rng):
    while True:
        im = texture_once(rng)
        if structured(im):
            return im


def texture_once(rng):
    side = 64
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    img = np.zeros((side, side, 3), np.float32)
    base = np.asarray(colour(rng), np.float32)
    img += base
    for _ in range(3):
        angle, period = rng.uniform(0, math.pi), rng.uniform(4, 40)
        phase, amp = rng.uniform(0, 2 * math.pi), np.asarray([rng.uniform(-60, 60) for _ in range(3)], np.float32)
        wave = np.sin(2 * math.pi * (xx * math.cos(angle) + yy * math.sin(angle)) / period + phase)
        img += wave[..., None] * amp
    g = rng.uniform(-40, 40)
    img += (xx / side * g)[..., None]
    img += np.random.default_rng(rng.randint(0, 2**32 - 1)).normal(0, rng.uniform(0, 12), img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def photo_crops(photo_dir, rng, wanted):
    crops, per_photo = [], max(1, min(120, math.ceil(wanted / len(PHOTOS))))
    for name in PHOTOS:
        im = Image.open(os.path.join(photo_dir, name))
        im = im.convert("RGB")
        taken, tries = [], 0
        while len(taken) < per_photo and tries < per_photo * 40 and len(crops) < wanted:
            tries += 1
            s = rng.randint(40, min(160, im.width, im.height))
            x, y = rng.randint(0, im.width - s), rng.randint(0, im.height - s)
            overlap = any(max(0, min(x + s, tx + ts) - max(x, tx)) * max(0, min(y + s, ty + ts) - max(y, ty)) >
                          0.25 * min(s, ts) ** 2 for tx, ty, ts in taken)
            if overlap:
                continue
            tile = im.crop((x, y, x + s, y + s)).resize((64, 64), Image.BOX)
            if not structured(tile, 12.0):
                continue  # flat (sky, background): not a distinct image at thumbnail scale
            taken.append((x, y, s))
            crops.append((f"photo:{name}@{x},{y},{s}", tile))
    return crops


def copy_of(im, kind, rng):
    if kind == "jpeg":
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=rng.randint(30, 95), subsampling=rng.choice([0, 1, 2]))
        return buf.getvalue(), ".jpg", "jpeg"
    if kind == "webp":
        buf = io.BytesIO()
        im.save(buf, "WEBP", quality=rng.randint(40, 90))
        return buf.getvalue(), ".webp", "webp"
    s = rng.uniform(0.5, 0.9) if rng.random() < 0.5 else rng.uniform(1.1, 2.0)
    name = rng.choice(sorted(RESAMPLERS))
    w, h = im.size
    im = im.resize((max(8, round(w * s)), max(8, round(h * s))), RESAMPLERS[name])
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue(), ".png", "resize"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10000, help="originals")
    ap.add_argument("--fraction", type=float, default=0.04)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--photos", default="/usr/lib/python3/dist-packages/skimage/data")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    font_files = fonts()
    photos = photo_crops(a.photos, rng, a.count // 3)
    rest = a.count - len(photos)
    originals = photos + [(f"glyph#{i}", glyph(rng, font_files)) for i in range(rest // 2)]
    originals += [(f"texture#{i}", texture(rng)) for i in range(rest - rest // 2)]
    items = []  # (family, kind, source, bytes, ext)
    for fam, (src, im) in enumerate(originals):
        buf = io.BytesIO()
        im.save(buf, "PNG")
        items.append((fam, "original", src, buf.getvalue(), ".png"))
        if rng.random() < a.fraction:
            data, ext, kind = copy_of(im, rng.choice(["jpeg", "webp", "resize"]), rng)
            items.append((fam, kind, src, data, ext))
    img_dir = write_shuffled(a.out, items, rng)
    kinds = {}
    for it in items:
        kinds[it[1]] = kinds.get(it[1], 0) + 1
    print(f"{len(originals)} originals ({len(photos)} photo crops, {rest // 2} glyphs, {rest - rest // 2} textures), "
          f"copies {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()) if k != 'original')}, "
          f"{len(items)} files in {img_dir}")


if __name__ == "__main__":
    main()
