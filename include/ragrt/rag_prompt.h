#pragma once
// How a question and its retrieved passages become a conversation for an LLM generator, and how
// the passages an answer cites are read back from it. The passages are numbered [1], [2], … in a
// system message that asks for answers from them only, with those numbers as citations, and for
// a plain statement when they do not contain the answer.
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/generator.h"

namespace ragrt {

// The built-in instructions (used when `system_prompt` is empty).
const std::string& default_rag_instructions();

// [system: instructions + numbered passages, user: question]. `history` (earlier turns, without
// a system message) goes between them.
std::vector<ChatMessage> rag_messages(std::string_view question, const std::vector<ContextPassage>& passages,
                                      const std::string& system_prompt = "",
                                      const std::vector<ChatMessage>& history = {});

// Ids of the passages the text cites as [n] (also [n, m] and [n][m]), in order of first citation;
// numbers that name no passage are ignored.
std::vector<std::string> cited_passages(std::string_view text, const std::vector<ContextPassage>& passages);

}  // namespace ragrt
