#include "hash_autoencoder_options.h"

#include <algorithm>

namespace gankit {

nlohmann::json HashAutoencoderOptions::to_json() const {
  return {{"noise", noise},
          {"brightness", brightness},
          {"resample", resample},
          {"shift", shift},
          {"scale", scale},
          {"margin", margin},
          {"margin_weight", margin_weight},
          {"dropout", dropout},
          {"epochs", epochs},
          {"batch", batch},
          {"lr", lr},
          {"seed", seed}};
}

int HashAutoencoderOptions::resolved_epochs(int64_t samples) const {
  if (epochs > 0 || samples <= 0) return epochs;
  const int64_t steps_per_epoch = (samples + batch - 1) / batch;
  return static_cast<int>(std::max<int64_t>(10, (kMinAutoSteps + steps_per_epoch - 1) / steps_per_epoch));
}

HashAutoencoderOptions HashAutoencoderOptions::from_json(const nlohmann::json& j) {
  HashAutoencoderOptions o;
  o.noise = j.at("noise").get<double>();
  o.brightness = j.at("brightness").get<double>();
  o.resample = j.value("resample", 1.0);
  o.shift = j.at("shift").get<double>();
  o.scale = j.at("scale").get<double>();
  o.margin = j.at("margin").get<double>();
  o.margin_weight = j.at("margin_weight").get<double>();
  o.dropout = j.at("dropout").get<double>();
  o.epochs = j.at("epochs").get<int>();
  o.batch = j.at("batch").get<int>();
  o.lr = j.at("lr").get<double>();
  o.seed = j.at("seed").get<uint64_t>();
  return o;
}

}  // namespace gankit
