#include "ragrt/error.h"
#include "ragrt/generator_config.h"

namespace ragrt {

std::unique_ptr<Generator> make_generator(const GeneratorConfig& config) {
  if (config.type == "extractive") return make_extractive_generator(config.extractive);
  if (config.type == "onnx") return make_onnx_generator(config.onnx);
  if (config.type == "openai") return make_openai_generator(config.openai);
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "'{}' is not a built-in generator type (extractive, onnx, openai); a registered type is built "
                   "from its config section by Registry<Generator>",
                   config.type);
}

}  // namespace ragrt
