// Forwards swd_torch.h, feature_extraction.h, checkpoint_sampler.h and backbone.h to libgankit_eval_torch.so, loaded on
// first use.
#include "feature_extraction.h"
#include "module_loader.h"
#include "swd_torch.h"
#include "torch_module.h"

namespace gankit {

namespace {

const EvalTorchModule& module() {
  static const EvalTorchModule& loaded = load_module<EvalTorchModule>(
      "libgankit_eval_torch.so", "gankit_eval_torch_module", kEvalTorchModuleVersion, "gan-eval");
  return loaded;
}

}  // namespace

bool swd_device_available(const std::string& device) { return module().device_available(device); }

SwdResult sliced_wasserstein_torch(ImageSet& real, ImageSet& fake, const SwdOptions& options,
                                   const std::string& device) {
  return module().swd(real, fake, options, device);
}

FeatureJobSummary extract_features(const FeatureJob& job) { return module().extract_features(job); }

CheckpointSamples sample_checkpoint(const SampleRequest& request) { return module().sample_checkpoint(request); }

BackboneIdentity backbone_identity(const BackboneSpec& spec) { return module().backbone_identity(spec); }

FeatureMatrix backbone_features(const BackboneSpec& spec, ImageSet& images, const ProgressOptions& progress,
                                const std::string& label) {
  return module().backbone_features(spec, images, progress, label);
}

}  // namespace gankit
