#!/usr/bin/python3
"""Reference SWD and MS-SSIM for bench-metrics.sh: the official Progressive GAN metric code
(metrics/sliced_wasserstein.py, metrics/ms_ssim.py) restated with numpy + scipy, same algorithm,
same random stream, same float32 arithmetic, including the reals-vs-reals SWD pass. It stands in
for the official Python 2 / TF1 scripts, which do not run on a current system.

usage: reference_metrics.py swd REAL.npy FAKE.npy SEED [--float64-stats]   (uint8 NHWC arrays)
       reference_metrics.py msssim A.npy B.npy
Prints one JSON object. --float64-stats normalises the descriptors with float64 statistics
instead of the official float32 ones: this removes the official code's float32 drift (~3e-4 to
1e-3 relative at thousands of images) and agrees with gan-eval to ~1e-6.
"""
import json
import sys

import numpy as np
import scipy.ndimage
import scipy.signal

# ---------------------------------------------------------------- SWD (official code, restated)
def get_descriptors_for_minibatch(minibatch, nhood_size, nhoods_per_image):
    S = minibatch.shape  # (minibatch, channel, height, width)
    assert len(S) == 4 and S[1] == 3
    N = nhoods_per_image * S[0]
    H = nhood_size // 2
    nhood, chan, x, y = np.ogrid[0:N, 0:3, -H:H + 1, -H:H + 1]
    img = nhood // nhoods_per_image
    x = x + np.random.randint(H, S[3] - H, size=(N, 1, 1, 1))
    y = y + np.random.randint(H, S[2] - H, size=(N, 1, 1, 1))
    idx = ((img * S[1] + chan) * S[2] + y) * S[3] + x
    return minibatch.flat[idx]


def finalize_descriptors(desc):
    if isinstance(desc, list):
        desc = np.concatenate(desc, axis=0)
    assert desc.ndim == 4  # (neighborhood, channel, height, width)
    desc -= np.mean(desc, axis=(0, 2, 3), keepdims=True)
    desc /= np.std(desc, axis=(0, 2, 3), keepdims=True)
    desc = desc.reshape(desc.shape[0], -1)
    return desc


def finalize_descriptors_float64(desc):
    desc = np.concatenate(desc, axis=0).astype(np.float64)
    desc -= np.mean(desc, axis=(0, 2, 3), keepdims=True)
    desc /= np.std(desc, axis=(0, 2, 3), keepdims=True)
    return desc.reshape(desc.shape[0], -1).astype(np.float32)


def sliced_wasserstein(A, B, dir_repeats, dirs_per_repeat):
    assert A.ndim == 2 and A.shape == B.shape
    results = []
    for repeat in range(dir_repeats):
        dirs = np.random.randn(A.shape[1], dirs_per_repeat)
        dirs /= np.sqrt(np.sum(np.square(dirs), axis=0, keepdims=True))
        dirs = dirs.astype(np.float32)
        projA = np.matmul(A, dirs)
        projB = np.matmul(B, dirs)
        projA = np.sort(projA, axis=0)
        projB = np.sort(projB, axis=0)
        dists = np.abs(projA - projB)
        results.append(np.mean(dists))
    return np.mean(results)


gaussian_filter = np.float32([
    [1, 4, 6, 4, 1],
    [4, 16, 24, 16, 4],
    [6, 24, 36, 24, 6],
    [4, 16, 24, 16, 4],
    [1, 4, 6, 4, 1]]) / 256.0


def pyr_down(minibatch):  # matches cv2.pyrDown()
    return scipy.ndimage.convolve(minibatch, gaussian_filter[np.newaxis, np.newaxis, :, :], mode='mirror')[:, :, ::2, ::2]


def pyr_up(minibatch):  # matches cv2.pyrUp()
    S = minibatch.shape
    res = np.zeros((S[0], S[1], S[2] * 2, S[3] * 2), minibatch.dtype)
    res[:, :, ::2, ::2] = minibatch
    return scipy.ndimage.convolve(res, gaussian_filter[np.newaxis, np.newaxis, :, :] * 4.0, mode='mirror')


def generate_laplacian_pyramid(minibatch, num_levels):
    pyramid = [np.float32(minibatch)]
    for i in range(1, num_levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] -= pyr_up(pyramid[-1])
    return pyramid


class SwdAPI:
    def __init__(self, resolution):
        self.nhood_size, self.nhoods_per_image, self.dir_repeats, self.dirs_per_repeat = 7, 128, 4, 128
        self.resolutions = []
        res = resolution
        while res >= 16:
            self.resolutions.append(res)
            res //= 2

    def begin(self, mode):
        self.descriptors = [[] for res in self.resolutions]

    def feed(self, mode, minibatch):
        for lod, level in enumerate(generate_laplacian_pyramid(minibatch, len(self.resolutions))):
            self.descriptors[lod].append(get_descriptors_for_minibatch(level, self.nhood_size, self.nhoods_per_image))

    def end(self, mode):
        desc = [finalize_descriptors(d) for d in self.descriptors]
        del self.descriptors
        if mode in ['warmup', 'reals']:
            self.desc_real = desc
        dist = [sliced_wasserstein(dreal, dfake, self.dir_repeats, self.dirs_per_repeat)
                for dreal, dfake in zip(self.desc_real, desc)]
        del desc
        dist = [d * 1e3 for d in dist]
        return dist + [np.mean(dist)]


def swd(real, fake, seed):  # uint8 NHWC
    np.random.seed(seed)
    h = real.shape[1]
    minibatch = int(np.clip(8192 // h, 4, 256))
    api = SwdAPI(h)
    for mode, images in [('reals', real), ('fakes', fake)]:
        api.begin(mode)
        for begin in range(0, images.shape[0], minibatch):
            api.feed(mode, images[begin:begin + minibatch].transpose(0, 3, 1, 2))
        result = api.end(mode)
    return dict(zip([str(r) for r in api.resolutions] + ['avg'], [float(v) for v in result]))


# ----------------------------------------------------------- MS-SSIM (official code, restated)
def _FSpecialGauss(size, sigma):
    radius = size // 2
    offset = 0.0
    start, stop = -radius, radius + 1
    if size % 2 == 0:
        offset = 0.5
        stop -= 1
    x, y = np.mgrid[offset + start:stop, offset + start:stop]
    g = np.exp(-((x ** 2 + y ** 2) / (2.0 * sigma ** 2)))
    return g / g.sum()


def _SSIMForMultiScale(img1, img2, max_val=255, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    img1 = img1.astype(np.float32)
    img2 = img2.astype(np.float32)
    _, height, width, _ = img1.shape
    size = min(filter_size, height, width)
    sigma = size * filter_sigma / filter_size if filter_size else 0
    window = np.reshape(_FSpecialGauss(size, sigma), (1, size, size, 1))
    mu1 = scipy.signal.fftconvolve(img1, window, mode='valid')
    mu2 = scipy.signal.fftconvolve(img2, window, mode='valid')
    sigma11 = scipy.signal.fftconvolve(img1 * img1, window, mode='valid')
    sigma22 = scipy.signal.fftconvolve(img2 * img2, window, mode='valid')
    sigma12 = scipy.signal.fftconvolve(img1 * img2, window, mode='valid')
    mu11, mu22, mu12 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    sigma11 -= mu11
    sigma22 -= mu22
    sigma12 -= mu12
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    v1 = 2.0 * sigma12 + c2
    v2 = sigma11 + sigma22 + c2
    ssim = np.mean((((2.0 * mu12 + c1) * v1) / ((mu11 + mu22 + c1) * v2)), axis=(1, 2, 3))
    cs = np.mean(v1 / v2, axis=(1, 2, 3))
    return ssim, cs


def _HoxDownsample(img):
    return (img[:, 0::2, 0::2, :] + img[:, 1::2, 0::2, :] + img[:, 0::2, 1::2, :] + img[:, 1::2, 1::2, :]) * 0.25


def msssim(img1, img2):
    weights = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
    im1, im2 = [x.astype(np.float32) for x in [img1, img2]]
    mssim, mcs = [], []
    for _ in range(weights.size):
        ssim, cs = _SSIMForMultiScale(im1, im2)
        mssim.append(ssim)
        mcs.append(cs)
        im1, im2 = [_HoxDownsample(x) for x in [im1, im2]]
    mssim = np.clip(np.asarray(mssim), 0.0, np.inf)
    mcs = np.clip(np.asarray(mcs), 0.0, np.inf)
    return np.mean(np.prod(mcs[:-1, :] ** weights[:-1, np.newaxis], axis=0) * (mssim[-1, :] ** weights[-1]))


def main():
    if sys.argv[1] == 'swd':
        if '--float64-stats' in sys.argv:
            global finalize_descriptors
            finalize_descriptors = finalize_descriptors_float64
        real, fake = np.load(sys.argv[2]), np.load(sys.argv[3])
        print(json.dumps({'metric': 'swd', 'swd': swd(real, fake, int(sys.argv[4]))}))
    else:
        a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
        # Minibatches of 64 pairs, as the official evaluation loop fed them.
        total = 0.0
        for i in range(0, a.shape[0], 64):
            total += msssim(a[i:i + 64], b[i:i + 64]) * a[i:i + 64].shape[0]
        print(json.dumps({'metric': 'msssim', 'pairs': a.shape[0], 'msssim': total / a.shape[0]}))


if __name__ == '__main__':
    main()
