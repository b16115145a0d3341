// gan-eval — GAN metrics: SWD and MS-SSIM as defined by the official Progressive GAN code, FID,
// KID and precision/recall/density/coverage on any TorchScript backbone, DCGAN's
// discriminator-feature L2-SVM benchmark, and compare.
#include "cli.h"
#include "gan_eval_commands.h"

int main(int argc, char** argv) {
  using namespace gankit::cli;
  return run_main(
      "gan-eval", "GAN metrics",
      {
          {"swd", "sliced Wasserstein distance over Laplacian-pyramid patches (ProGAN)", eval_swd},
          {"msssim", "MS-SSIM of aligned pairs, or the diversity of one set (ProGAN)", eval_msssim},
          {"fid", "Frechet distance of backbone features (FID with Inception v3)", eval_fid},
          {"kid", "kernel distance of backbone features (KID), as torch-fidelity", eval_kid},
          {"prdc", "precision, recall, density and coverage in feature space", eval_prdc},
          {"stats", "a real set's backbone features, kept for fid, kid, prdc and compare", eval_stats},
          {"features", "discriminator features of labelled images (DCGAN), or raw-pixel baselines", eval_features},
          {"svm", "linear L2-SVM accuracy on features (DCGAN's CIFAR-10 / SVHN protocol)", eval_svm},
          {"compare", "measure and rank several gan-train runs against real data, with an HTML report", eval_compare},
      },
      argc, argv);
}
