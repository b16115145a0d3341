// The function table of libgankit_eval_torch.so, and checkpoint sampling.
#include "torch_module.h"

#include "device.h"
#include "generate.h"

namespace gankit {

CheckpointSamples torch_sample_checkpoint(const SampleRequest& request) {
  const c10::Device device = torch_device(request.device);
  set_torch_threads(request.threads);
  LoadedGenerator gen = load_generator(request.checkpoint, device, request.resolution);
  CheckpointSamples out;
  out.step = gen.state.step;
  out.seconds = gen.state.seconds;
  out.kimg = static_cast<double>(gen.g_ema ? gen.state.images : gen.state.real_batches * gen.config.batch) / 1000.0;
  out.resolution = gen.resolution();
  out.images = ImageBatch(request.num, gen.config.channels, out.resolution, out.resolution);
  const size_t image_bytes = out.images.image_bytes();
  for (int64_t first = 0; first < request.num; first += request.batch) {
    const int64_t n = std::min<int64_t>(request.batch, request.num - first);
    const ImageBatch part = generate_images(gen, first, n, request.seed, device);
    std::copy(part.data.begin(), part.data.end(), out.images.data.begin() + first * image_bytes);
  }
  return out;
}

}  // namespace gankit

extern "C" const gankit::EvalTorchModule* gankit_eval_torch_module() {
  static const gankit::EvalTorchModule module{
      gankit::kEvalTorchModuleVersion, &gankit::torch_device_available,  &gankit::torch_swd,
      &gankit::torch_extract_features, &gankit::torch_sample_checkpoint, &gankit::torch_backbone_identity,
      &gankit::torch_backbone_features};
  return &module;
}
