#include "ragrt/error.h"
#include "ragrt/generator_config.h"

namespace ragrt {

std::unique_ptr<Generator> make_generator(const GeneratorConfig& config) {
  if (config.type == "extractive") return make_extractive_generator(config.extractive);
  if (config.type == "onnx") return make_onnx_generator(config.onnx);
  if (config.type == "openai") return make_openai_generator(config.openai);
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "unknown generator type '{}' (expected extractive, onnx or openai)",
                   config.type);
}

}  // namespace ragrt
