#include "generate/chat_messages.h"

#include "ragrt/error.h"

namespace ragrt::generate {

void require_roles(const std::vector<ChatMessage>& messages) {
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    RAGRT_THROW_IF_NOT_KIND(m.is_object() && m.contains("role") && m["role"].is_string(), ErrorKind::kInvalidArgument,
                            "messages[{}] needs a string field \"role\" (system, user, assistant or tool)", i);
  }
}

std::string content_text(const nlohmann::ordered_json& content, std::string_view separator) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string())
        continue;
      if (!out.empty()) out += separator;
      out += part["text"].get<std::string>();
    }
  }
  return out;
}

}  // namespace ragrt::generate
