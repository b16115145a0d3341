// gan-train — DCGAN, WGAN, WGAN-GP and LSGAN with LibTorch; sampling and interpolation grids.
#include <cstring>
#include <vector>

#include "cli.h"
#include "gan_train_commands.h"

int main(int argc, char** argv) {
  using namespace gankit::cli;
  // `gan-train --data ... --out ...` is `gan-train train --data ... --out ...`.
  std::vector<char*> args(argv, argv + argc);
  char train[] = "train";
  if (argc >= 2 && argv[1][0] == '-' && std::strcmp(argv[1], "--help") != 0 && std::strcmp(argv[1], "-h") != 0 &&
      std::strcmp(argv[1], "--version") != 0)
    args.insert(args.begin() + 1, train);
  return run_main("gan-train", "train GANs (DCGAN, WGAN, WGAN-GP, LSGAN) and sample them",
                  {
                      {"train", "train or resume a run on an HDF5 dataset (the default command)", train_run},
                      {"sample", "generate images from a run or checkpoint (folder, .npy or .h5)", train_sample},
                      {"interpolate", "latent interpolation grid of a run or checkpoint (PNG)", train_interpolate},
                  },
                  static_cast<int>(args.size()), args.data());
}
