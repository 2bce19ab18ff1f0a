#pragma once
// What a customer reads when a tool call does not give the answer: a short sentence in the
// question's language saying what could not be done and what to do next. The tool's `on_error`
// entry for the outcome when it has one, else the built-in English or Chinese message; {name}
// is replaced by the argument of that name and {values} by all of them. Never a host, port, URL,
// status code or upstream body: those are in the trace and the log.
#include <string>

#include <nlohmann/json.hpp>

#include "ragrt/tool.h"

namespace ragrt::agent {

// `spec`: null for a tool the configuration does not have (the model named another).
std::string customer_message(const ToolSpec* spec, ToolOutcome outcome, const nlohmann::json& arguments,
                             const std::string& language);

// `text` with each {field} replaced by the value of `object` (a JSON object), "unknown" when
// absent or null.
std::string fill_template(const std::string& text, const nlohmann::ordered_json& object);

}  // namespace ragrt::agent
