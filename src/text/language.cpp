#include "text/language.h"

#include "ragrt/localized_text.h"
#include "text/utf8.h"

namespace ragrt {

const std::string& LocalizedText::in(std::string_view language) const {
  static const std::string kEmpty;
  for (std::string_view key : {language, std::string_view(""), std::string_view("en")}) {
    auto it = by_language.find(std::string(key));
    if (it != by_language.end()) return it->second;
  }
  return by_language.empty() ? kEmpty : by_language.begin()->second;
}

LocalizedText LocalizedText::over(const LocalizedText& defaults) const {
  if (by_language.count("")) return *this;
  LocalizedText out = *this;
  for (const auto& [language, text] : defaults.by_language) out.by_language.emplace(language, text);
  return out;
}

namespace text {

std::string language_of(std::string_view question) {
  for (size_t i = 0; i < question.size();) {
    const char32_t c = decode_utf8(question.data(), i);
    // CJK Unified Ideographs and extension A, compatibility ideographs.
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF)) return "zh";
  }
  return "en";
}

}  // namespace text
}  // namespace ragrt
