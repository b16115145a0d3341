#!/usr/bin/env bash
# Installs, from Debian packages, everything gankit needs to build, test and run its demo.
# Idempotent: quiet and fast when everything is already present. Needs root (or sudo).
# --test also installs what only the tests need (chromium: the compare report's browser test;
# PyTorch: the references of the resizers and of a TorchScript backbone).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libtorch-dev                      # LibTorch (CPU); a CUDA build is used through Torch_DIR
  libgloo-dev                       # Gloo headers for LibTorch's c10d process group (data-parallel training)
  libopenblas0-openmp libopenblas-openmp-dev  # libtorch is ~4x slower with the reference BLAS; SWD projections use cblas
  libopencv-dev opencv-data         # image codecs, resizing, pyramids, Haar/LBP face cascades
  libhdf5-dev                       # dataset store
  libboost-program-options-dev libboost-dev libfmt-dev nlohmann-json3-dev zlib1g-dev libzip-dev
  liblodepng-dev libdeflate-dev      # PNG decoding: lodepng's chunks and filters over libdeflate's inflate
  libgtest-dev
  liblinear-dev liblmdb-dev libmatio-dev
  dataset-fashion-mnist             # the default data of demo.sh and the real-data tests
  python3-numpy python3-h5py python3-pil python3-scipy time  # bench/: reference implementations, peak RSS
  python3-skimage                   # real test photos: astronaut.png, lfw_subset.npy (faces vs non-faces)
)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium)              # headless: gan-eval compare's report rendered in a real browser
  packages+=(clang-format)          # scripts/test.sh checks that the sources are formatted (.clang-format)
  packages+=(python3-torch python3-torchvision)  # references: torch's interpolate, a traced Inception v3 backbone
  packages+=(procps)                # pgrep: the data-parallel test kills one rank of a running job
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
