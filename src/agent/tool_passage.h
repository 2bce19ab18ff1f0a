#pragma once
// A tool's result as a passage the answer can cite: one readable line ("order status (order id
// 12345): status shipped; carrier UPS; …") rather than raw JSON, so both an LLM and the extractive
// generator can quote it, and a failed call as a sentence saying what could not be looked up.
// With the tool's `summary` template (ToolSpec::summary) a result reads as the template filled in,
// once per row for SQL results.
#include <string>

#include "ragrt/generator.h"
#include "ragrt/pipeline.h"

namespace ragrt::agent {

// `summaries`: the tool's summary by language, `language` the question's. Meant for successful
// calls; a failed one reads as the tool's raw message (the agent shows customers
// customer_message instead).
ContextPassage tool_passage(const ToolCallRecord& call, const std::string& id, const LocalizedText& summaries = {},
                            const std::string& language = "en");

}  // namespace ragrt::agent
