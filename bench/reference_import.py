#!/usr/bin/python3
"""Reference importer for bench-import.sh: the official ProGAN h5tool approach restated with
numpy + h5py + PIL (HDF5Exporter: one dataset per level, chained float box filter, np.round,
gzip 4, chunks of ceil(128/(C*r*r)) images). It stands in for the official Python 2 / TF1
script, which does not run on a current system.

usage: reference_import.py idx IMAGES_IDX_GZ OUT.h5
       reference_import.py folder DIR OUT.h5
"""
import gzip
import os
import sys

import h5py
import numpy as np
import PIL.Image


class HDF5Exporter:
    def __init__(self, path, resolution, channels):
        self.f = h5py.File(path, "w")
        self.levels = []
        r = resolution
        while r >= 1:
            chunk = int(np.ceil(128.0 / (channels * r * r)))
            self.levels.append(self.f.create_dataset(
                "data%dx%d" % (r, r), shape=(0, channels, r, r), dtype=np.uint8,
                maxshape=(None, channels, r, r), chunks=(chunk, channels, r, r),
                compression="gzip", compression_opts=4))
            r //= 2

    def add_images(self, img):  # img: (N, C, R, R) uint8
        for lod, ds in enumerate(self.levels):
            if lod:
                img = img.astype(np.float32)
                img = (img[:, :, 0::2, 0::2] + img[:, :, 0::2, 1::2] + img[:, :, 1::2, 0::2] + img[:, :, 1::2, 1::2]) * 0.25
            quant = np.uint8(np.clip(np.round(img), 0, 255))
            ds.resize(ds.shape[0] + img.shape[0], axis=0)
            ds[-img.shape[0]:] = quant

    def close(self):
        self.f.close()


def main():
    kind, src, out = sys.argv[1:4]
    if kind == "idx":
        with gzip.open(src, "rb") as f:
            images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
        images = np.pad(images, [(0, 0), (2, 2), (2, 2)], "constant")
        h5 = HDF5Exporter(out, 32, 1)
        h5.add_images(images[:, np.newaxis])
        h5.close()
        print(images.shape[0])
    else:
        files = sorted(os.path.join(src, n) for n in os.listdir(src) if n.endswith(".png"))
        first = np.asarray(PIL.Image.open(files[0]).convert("RGB"))
        h5 = HDF5Exporter(out, first.shape[0], 3)
        for path in files:  # h5tool's create_custom: one image at a time
            img = np.asarray(PIL.Image.open(path).convert("RGB")).transpose(2, 0, 1)
            h5.add_images(img[np.newaxis])
        h5.close()
        print(len(files))


if __name__ == "__main__":
    main()
