#pragma once
// Hugging Face chat templates, rendered byte for byte as transformers.js renders them
// (apply_chat_template with tokenize: false, i.e. @huggingface/jinja with trim_blocks and
// lstrip_blocks). That library, not Python Jinja, is the reference wherever the two differ: how
// none, booleans, floats, lists and dicts print, what tojson writes, which filters and tests
// exist. Templates are parsed once; render() is const and may run on several threads at once.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ragrt {

namespace detail {
struct ChatTemplateImpl;
}

class ChatTemplate {
 public:
  // Reads `chat_template` from a tokenizer_config.json: a string, or a list of {"name", "template"}
  // of which "default" is used unless `name` picks another (e.g. "tool_use"). bos_token,
  // eos_token, unk_token, sep_token, pad_token, cls_token and mask_token (strings or AddedToken
  // objects {"content": ...}) become template variables when set and non-empty.
  // Throws ragrt::Error (kNotFound, kInvalidModel, kIo) naming the file and the field.
  static ChatTemplate from_tokenizer_config(const std::filesystem::path& file, const std::string& name = "");

  // Parses `source` now: a syntax error throws ragrt::Error(kInvalidModel) naming `source_name`,
  // line and column. `special_tokens` maps variable names (bos_token, ...) to strings or
  // AddedToken objects; null and empty ones are left undefined, as transformers.js leaves them.
  ChatTemplate(std::string source, nlohmann::json special_tokens = nlohmann::json::object(),
               std::string source_name = "<chat_template>");

  // messages: OpenAI-shaped objects (role, content, tool_calls, reasoning_content, ...).
  // tools: a JSON array; an empty array or null reaches the template as none, which is what
  // transformers.js passes when there are no tools. `extra` adds variables or overrides the
  // standard ones (enable_thinking, date_string, documents, ...); its key "strftime_now", when a
  // string "YYYY-MM-DD[T ]HH:MM[:SS]", fixes the time the strftime_now() global formats (tests
  // need that; otherwise it is the local time) instead of becoming a variable.
  // Runtime errors, raise_exception() called by the template included, throw
  // ragrt::Error(kInvalidArgument) with `source_name`, the template line and the message.
  //
  // Object keys reach the template in the order the JSON holds them, and tojson writes them in
  // that order: nlohmann::json sorts keys, so callers that care (tool schemas) should use the
  // nlohmann::ordered_json overload.
  std::string render(const std::vector<nlohmann::json>& messages, const nlohmann::json& tools,
                     bool add_generation_prompt, const nlohmann::json& extra = nlohmann::json::object()) const;
  std::string render(const std::vector<nlohmann::ordered_json>& messages, const nlohmann::ordered_json& tools,
                     bool add_generation_prompt,
                     const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) const;

  const std::string& source() const;

 private:
  std::shared_ptr<const detail::ChatTemplateImpl> impl_;
};

}  // namespace ragrt
