// The interface between gan-eval and its LibTorch module (libgankit_eval_torch.so), which is
// loaded with dlopen on first use: the SWD backend for torch devices, the discriminator
// feature extractor, checkpoint sampling and the FID/KID/PRDC feature backbones. Linking LibTorch into gan-eval would
// add ~0.45 s to every start (loading and registering libtorch_cpu). Internal to gankit::eval.
#pragma once

#include <string>

#include "backbone.h"
#include "checkpoint_sampler.h"
#include "feature_extraction.h"
#include "image_set.h"
#include "swd.h"

namespace gankit {

constexpr int kEvalTorchModuleVersion = 4;

struct EvalTorchModule {
  int version;
  bool (*device_available)(const std::string& device);
  SwdResult (*swd)(ImageSet& real, ImageSet& fake, const SwdOptions& options, const std::string& device);
  FeatureJobSummary (*extract_features)(const FeatureJob& job);
  CheckpointSamples (*sample_checkpoint)(const SampleRequest& request);
  BackboneIdentity (*backbone_identity)(const BackboneSpec& spec);
  FeatureMatrix (*backbone_features)(const BackboneSpec& spec, ImageSet& images, const ProgressOptions& progress,
                                     const std::string& label);
};

// The module's implementations (compiled into the module only).
SwdResult torch_swd(ImageSet& real, ImageSet& fake, const SwdOptions& options, const std::string& device);
FeatureJobSummary torch_extract_features(const FeatureJob& job);
CheckpointSamples torch_sample_checkpoint(const SampleRequest& request);
BackboneIdentity torch_backbone_identity(const BackboneSpec& spec);
FeatureMatrix torch_backbone_features(const BackboneSpec& spec, ImageSet& images, const ProgressOptions& progress,
                                      const std::string& label);

}  // namespace gankit

// Exported by the module: its function table.
extern "C" const gankit::EvalTorchModule* gankit_eval_torch_module();
