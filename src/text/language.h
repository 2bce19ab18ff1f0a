#pragma once
// The language a question is written in, as far as the answer's wording goes: "zh" when it holds
// a CJK ideograph (Chinese, or Japanese kanji, which read closer to Chinese than to English), else
// "en". Customer-facing text (refusals, tool messages and summaries) is chosen by it.
#include <string>
#include <string_view>

namespace ragrt::text {

std::string language_of(std::string_view question);

}  // namespace ragrt::text
