#pragma once
// Tool choice without an LLM (the extractive default): a tool is called when the question holds a
// value for each of its required arguments, recognized by the argument's JSON Schema `pattern` or
// `enum` ("#12345" satisfies {type: string, pattern: "^[0-9]{5,10}$"}), and, where the pipeline
// lists route words for the tool, one of them appears in the question. Predictable by design: a
// company can read the config and know when the order API is called.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/tool.h"

namespace ragrt::agent {

struct RoutedCall {
  std::string tool;
  nlohmann::json arguments;
};

std::vector<RoutedCall> route_tools(std::string_view question, const std::vector<const Tool*>& tools,
                                    const std::map<std::string, std::vector<std::string>>& route_words);

// Whether a question points back at what the conversation was about ("And when will it arrive?",
// "它什么时候到？"): a pronoun or demonstrative as a word of its own. The agent then routes on the
// previous question when this one names nothing itself.
bool refers_back(std::string_view question);

// Words of the question that could be argument values: runs of ASCII letters, digits and
// . _ - @ (so "订单#12345现在" gives "12345"), trailing dots dropped.
std::vector<std::string> candidate_values(std::string_view question);

}  // namespace ragrt::agent
