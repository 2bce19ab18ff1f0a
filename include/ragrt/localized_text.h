#pragma once
// Text a customer reads, in several languages: a tool's summary and error messages, the
// extractive generator's refusal. Written in YAML as one string (the text for every language) or
// as a map by language code ({en: "…", zh: "…"}); the question's language picks one (see
// language_of in text/language.h), falling back to English, then to whichever exists.
#include <map>
#include <string>
#include <string_view>

namespace ragrt {

struct LocalizedText {
  std::map<std::string, std::string> by_language;  // "" holds the text written as one string

  LocalizedText() = default;
  LocalizedText(std::string any) { by_language[""] = std::move(any); }  // NOLINT: a plain string converts
  LocalizedText(const char* any) : LocalizedText(std::string(any)) {}   // NOLINT
  LocalizedText(std::map<std::string, std::string> m) : by_language(std::move(m)) {}

  bool empty() const { return by_language.empty(); }
  // The text in `language`; else the one written for every language; else English; else the
  // first; "" when empty.
  const std::string& in(std::string_view language) const;
  // Fills languages this one lacks from `defaults` (a map that says only "" stays as it is).
  LocalizedText over(const LocalizedText& defaults) const;
};

}  // namespace ragrt
