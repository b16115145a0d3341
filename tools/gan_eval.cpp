// gan-eval — GAN metrics: SWD and MS-SSIM as defined by the official Progressive GAN code.
#include "cli.h"
#include "gan_eval_commands.h"

int main(int argc, char** argv) {
  using namespace gankit::cli;
  return run_main("gan-eval", "GAN metrics",
                  {
                      {"swd", "sliced Wasserstein distance over Laplacian-pyramid patches (ProGAN)", eval_swd},
                      {"msssim", "MS-SSIM of aligned pairs, or the diversity of one set (ProGAN)", eval_msssim},
                  },
                  argc, argv);
}
