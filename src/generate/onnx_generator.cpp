#include "ragrt/onnx_generator.h"

#include <fmt/format.h>

#include "generate/chat_messages.h"
#include "generate/engine.h"
#include "models/decoder_model.h"
#include "ragrt/chat_template.h"
#include "ragrt/error.h"
#include "ragrt/model_folder.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

// Every string in a message or tool definition must be UTF-8: the template would otherwise carry
// the bytes into the prompt (or replace them), and the model would see something else.
void require_utf8_strings(const nlohmann::ordered_json& value, const std::string& where) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    size_t bad = text::find_invalid_utf8(s);
    RAGRT_THROW_IF_NOT_KIND(bad == text::kValidUtf8, ErrorKind::kInvalidArgument,
                            "generator: {} is not valid UTF-8 (byte {})", where, bad);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) require_utf8_strings(item, where + "." + key);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) require_utf8_strings(value[i], fmt::format("{}[{}]", where, i));
  }
}

class OnnxGenerator : public Generator {
 public:
  explicit OnnxGenerator(const OnnxGeneratorParams& params) : params_(params) {
    auto folder = ModelFolder::open(params.model_dir);
    model_ = models::DecoderModel::open(folder, params.session, params.onnx_file,
                                        params.lm_head_in_ragrt ? models::LmHeadMode::kAuto : models::LmHeadMode::kGraph);
    std::shared_ptr<Tokenizer> tokenizer = folder.load_tokenizer();
    tokenizer->set_truncation(std::nullopt);
    tokenizer->set_padding(std::nullopt);
    tokenizer_ = tokenizer;
    auto config_file = params.model_dir / "tokenizer_config.json";
    if (std::filesystem::exists(config_file)) {
      auto config = folder.read_json("tokenizer_config.json");
      if (config && config->contains("chat_template")) {
        chat_template_ = std::make_unique<ChatTemplate>(
            ChatTemplate::from_tokenizer_config(config_file, params.chat_template_name));
      }
    }
    generate::EngineParams engine;
    engine.max_batch = params.max_batch;
    engine.use_kv_cache = params.use_kv_cache;
    engine.prefix_cache_bytes = params.prefix_cache_mb << 20;
    engine.prefix_cache_min_tokens = params.prefix_cache_min_tokens;
    engine.speculative_tokens = params.speculative_tokens;
    engine_ = std::make_unique<generate::Engine>(model_, tokenizer_, engine);
  }

  std::optional<BatchingStats> batching_stats() const override {
    const generate::EngineStats e = engine_->stats();
    return BatchingStats{e.steps, e.batched_rows, e.steps_by_batch_size, e.active, e.queued};
  }

  // Templates that render tools mention the `tools` variable; others would drop them silently.
  bool native_tool_calls() const override {
    return chat_template_ && chat_template_->source().find("tools") != std::string::npos;
  }
  std::string description() const override {
    const auto& s = model_->shape();
    return fmt::format("onnx decoder ({}, {} layers, {} heads / {} kv heads, {})", params_.model_dir.string(), s.layers,
                       s.attention_heads, s.kv_heads, runtime::to_string(model_->session().provider()));
  }

  GenerationResult generate(const GenerationRequest& request) override {
    std::string prompt;
    bool add_special_tokens = true;
    if (request.prompt) {
      prompt = *request.prompt;
    } else {
      RAGRT_THROW_IF_NOT_KIND(!request.messages.empty(), ErrorKind::kInvalidArgument,
                              "generator: the request has neither messages nor a prompt");
      generate::require_roles(request.messages);
      for (size_t i = 0; i < request.messages.size(); ++i) {
        require_utf8_strings(request.messages[i], fmt::format("messages[{}]", i));
      }
      require_utf8_strings(request.tools, "tools");
      RAGRT_THROW_IF_NOT_KIND(chat_template_ != nullptr, ErrorKind::kInvalidArgument,
                              "generator: {} has no chat_template in tokenizer_config.json; send a raw prompt instead "
                              "of messages",
                              params_.model_dir.string());
      prompt = chat_template_->render(request.messages, request.tools, true, params_.template_variables);
      add_special_tokens = false;  // the template wrote the special tokens itself
    }
    text::require_valid_utf8(prompt, "generator prompt");
    auto encoding = tokenizer_->encode(prompt, add_special_tokens);
    generate::EngineRequest req;
    req.prompt = std::move(encoding.ids);
    req.sampling = generate::resolve_sampling(request.sampling, model_->default_sampling());
    req.on_text = request.on_text;
    req.cancel = request.cancel;
    return engine_->run(std::move(req)).result;
  }

 private:
  OnnxGeneratorParams params_;
  std::shared_ptr<const models::DecoderModel> model_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::unique_ptr<ChatTemplate> chat_template_;
  std::unique_ptr<generate::Engine> engine_;
};

}  // namespace

std::unique_ptr<Generator> make_onnx_generator(const OnnxGeneratorParams& params) {
  return std::make_unique<OnnxGenerator>(params);
}

}  // namespace ragrt
