#pragma once
// What every generator reads from OpenAI-shaped chat messages the same way.
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/generator.h"

namespace ragrt::generate {

// Throws ragrt::Error (kInvalidArgument) naming messages[i] when a message is not an object with
// a string "role".
void require_roles(const std::vector<ChatMessage>& messages);

// A message's "content": a string, or OpenAI's list of parts whose {"type": "text"} texts are
// joined with `separator`; anything else (null in a tool-call turn) is "".
std::string content_text(const nlohmann::ordered_json& content, std::string_view separator = "");

}  // namespace ragrt::generate
