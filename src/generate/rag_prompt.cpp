#include "ragrt/rag_prompt.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ragrt {

const std::string& default_rag_instructions() {
  static const std::string text =
      "You are a customer support assistant. Answer the question using only the numbered context passages "
      "below. Cite the passages you use with their numbers in square brackets, like [1] or [2][3], right after "
      "the statement they support. If the passages do not contain the answer, say that you do not know based on "
      "the available documents; do not guess. Answer in the language of the question.";
  return text;
}

std::vector<ChatMessage> rag_messages(std::string_view question, const std::vector<ContextPassage>& passages,
                                      const std::string& system_prompt, const std::vector<ChatMessage>& history) {
  std::string system = system_prompt.empty() ? default_rag_instructions() : system_prompt;
  std::string notices;
  for (const auto& p : passages)
    if (p.kind == "notice") notices += "\n- " + p.text;
  if (!notices.empty())
    system += "\n\nTell the customer this first, in the language of the question (it is not a passage; do not "
              "cite it):" + notices;
  system += "\n\nContext passages:";
  if (std::none_of(passages.begin(), passages.end(), [](const auto& p) { return p.kind != "notice"; }))
    system += "\n(none were found)";
  for (const auto& p : passages) {
    if (p.kind == "notice") continue;
    std::string where = p.source;
    if (!p.section.empty()) where += " § " + p.section;
    if (p.page) where += fmt::format(", page {}", *p.page);
    system += fmt::format("\n\n[{}] ({})\n{}", p.id, where, p.text);
  }
  std::vector<ChatMessage> messages;
  messages.push_back({{"role", "system"}, {"content", system}});
  messages.insert(messages.end(), history.begin(), history.end());
  messages.push_back({{"role", "user"}, {"content", std::string(question)}});
  return messages;
}

std::vector<std::string> cited_passages(std::string_view text, const std::vector<ContextPassage>& passages) {
  std::vector<std::string> cited;
  auto cite = [&](std::string_view id) {
    auto known = std::any_of(passages.begin(), passages.end(), [&](const auto& p) { return p.id == id && p.kind != "notice"; });
    if (known && std::find(cited.begin(), cited.end(), id) == cited.end()) cited.emplace_back(id);
  };
  for (size_t open = text.find('['); open != std::string_view::npos; open = text.find('[', open + 1)) {
    size_t close = text.find(']', open);
    if (close == std::string_view::npos) break;
    std::string_view inside = text.substr(open + 1, close - open - 1);
    // "[2]" or "[2, 3]": digits, commas and spaces only.
    if (inside.empty() || inside.find_first_not_of("0123456789, ") != std::string_view::npos) continue;
    size_t start = 0;
    while (start < inside.size()) {
      size_t end = inside.find(',', start);
      if (end == std::string_view::npos) end = inside.size();
      std::string_view id = inside.substr(start, end - start);
      while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
      while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
      if (!id.empty()) cite(id);
      start = end + 1;
    }
  }
  return cited;
}

}  // namespace ragrt
