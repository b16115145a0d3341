// A feature backbone for FID, KID and PRDC: the network that maps images to feature vectors.
//
//   FILE.pt   a TorchScript module (torch.jit.save), e.g. Inception v3's pool3 exported by
//             scripts/export-inception.py. Contract: input float32 (N, 3, S, S), RGB, values
//             0..255; output float (N, D). S is the module's integer attribute `input_size`, or
//             --backbone-size. gankit resizes every image to S x S with the resize mode first
//             (resize.h) and repeats grey images to 3 channels.
//   d:RUN     a gankit DCGAN-family discriminator (a run folder or checkpoint file): its pooled
//             conv activations, as `gan-eval features` extracts them (every conv block, 4x4 max
//             pooling, BatchNorm in eval mode with the checkpoint's running averages), for data
//             no standard network fits (Fashion-MNIST). Images are resized to D's resolution,
//             scaled to [-1, 1], and must have D's channel count (grey data for a grey D).
// The identity of a backbone (its file's hash, input size and resize mode) goes into every
// statistics file and metrics record: features of different backbones are never compared.
// The network runs in libgankit_eval_torch.so; this header is torch-free.
#pragma once

#include <string>

#include "feature_matrix.h"
#include "image_set.h"
#include "progress.h"
#include "resize.h"

namespace gankit {

struct BackboneSpec {
  std::string name;  // FILE.pt or d:RUN
  int size = 0;      // input size (0 = the module's input_size / D's resolution)
  ResizeMode resize = ResizeMode::Clean;
  std::string device = "cpu";
  int batch = 50;
  int threads = 0;  // LibTorch CPU threads (0 = all cores)
};

struct BackboneIdentity {
  std::string name;  // as given
  std::string hash;  // "fnv1a64:<16 hex>" of the module or checkpoint file
  int input_size = 0;
  std::string resize;  // resize mode name
  // What must be equal for two feature sets to be compared.
  bool same_as(const BackboneIdentity& o) const {
    return hash == o.hash && input_size == o.input_size && resize == o.resize;
  }
  std::string describe() const;  // "inception.pt (fnv1a64:..., 299x299, clean)"
};

// Loads the backbone (cached for the process) and says what it is. Throws Error(Data) for a
// file that is not a TorchScript module or gankit checkpoint, Error(Usage) when the input size
// is unknown (naming --backbone-size).
BackboneIdentity backbone_identity(const BackboneSpec& spec);

// Features of every image of `images` (uint8 NCHW, 1 or 3 channels). Throws Error(Data) when the
// output is not (N, D) or holds a value that is not finite (naming `label` and the image).
FeatureMatrix backbone_features(const BackboneSpec& spec, ImageSet& images, const ProgressOptions& progress,
                                const std::string& label);

// "N=<count> C=<c> H=<h> W=<w> h=<FNV-1a over 64 images spread through the set>".
std::string image_set_fingerprint(ImageSet& images);

// FNV-1a (64 bits) of a file's bytes, "fnv1a64:<16 hex>"; throws Error(Data) when unreadable.
std::string file_hash(const std::filesystem::path& path);

}  // namespace gankit
