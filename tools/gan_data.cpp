// gan-data — dataset preparation: import sources into the HDF5 pyramid, export, inspect.
#include "cli.h"
#include "gan_data_commands.h"

int main(int argc, char** argv) {
  using namespace gankit::cli;
  return run_main(
      "gan-data", "GAN dataset preparation",
      {
          {"import", "import images (folder, CIFAR-10, SVHN, IDX, LSUN, CelebA) into an HDF5 pyramid", data_import},
          {"export", "write the images of an HDF5 pyramid level as PNG files", data_export},
          {"faces", "crop high-resolution faces out of photos with an OpenCV face detector (DCGAN)", data_faces},
          {"celebahq", "align faces from 5 landmarks CelebA-HQ style into an HDF5 pyramid", data_celebahq},
          {"dedup", "find near-duplicate images with an autoencoder hash (DCGAN) and remove them", data_dedup},
          {"info", "show levels, counts, labels and provenance of an HDF5 pyramid", data_info},
      },
      argc, argv);
}
