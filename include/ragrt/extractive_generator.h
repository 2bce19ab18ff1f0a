#pragma once
// `extractive` generator: no language model. It answers with the sentences of the context that
// best match the question, each followed by the id of the passage it came from:
//   "Refunds reach your card within 5 business days. [2] Store credit is instant. [1]"
//   "退款将在5个工作日内退回原支付账户。[2]"
// Useful as a baseline, as a fallback when no LLM is available, and wherever quoting the
// documents verbatim beats paraphrasing them.
//
// The question is the last "user" message (a string, or OpenAI's list of {"type": "text"} parts),
// or GenerationRequest::prompt when there are no messages. Sources are GenerationRequest::context
// and the "tool" messages (cited by their "name", else their "tool_call_id"). Sentences are cut
// where the splitter would cut them (. ! ? before whitespace, 。！？； and line breaks) and scored
// by IDF-weighted overlap with the question's terms, extracted the way the keyword index does
// (letter/digit runs, CJK bigrams), compared case-insensitively, without accents and with plural
// -s removed; question and function words ("how", "the", 什么) are left out of the question
// unless it has nothing else. IDF is computed over the candidate sentences, so words found
// everywhere in the context (the topic itself) count little. Fragments without end punctuation
// (headings, list labels) rank below full sentences, and ties go to higher-scored passages.
//
// Tool results in the context (ContextPassage::kind "tool": an order's status, a customer record)
// are the live data the question asked for: each is quoted whole, first, with its id, and does not
// count against max_sentences; document sentences follow.
//
// Output: the chosen sentences in descending score order, each followed by " [id]" (no space
// after CJK text), joined by a space (nothing between CJK sentences); citations list the ids in
// order of first use. Each sentence reaches on_text as it is added. finish_reason is kStop
// (kCancelled when cancelled); sampling.stop truncates the answer before the first stop string;
// the other sampling fields mean nothing here. There is no tokenizer, so prompt_tokens (the
// messages) and completion_tokens (the answer) are estimates (estimate_tokens in
// ragrt/conversation_memory.h) and usage_estimated is set.
#include <cstddef>
#include <memory>
#include <string>

#include "ragrt/generator.h"
#include "ragrt/localized_text.h"

namespace ragrt {

// "The documents I have do not answer this question." and its Chinese.
LocalizedText default_not_found_message();

struct ExtractiveGeneratorParams {
  // Most sentences in one answer.
  size_t max_sentences = 3;
  // Most characters (code points) in one answer, citation markers included. The best sentence is
  // cut at a word boundary (with "…") when it alone is longer; other sentences that do not fit are
  // left out.
  size_t max_chars = 600;
  // A sentence's score is the IDF-weighted share of the question's terms it contains, 0 to 1.
  // Sentences need at least one query term and a score above this; when none has, the context
  // does not answer the question and the answer is not_found_message.
  double min_score = 0.3;
  // Sentences after the best one need at least this share of its score: a sentence sharing one
  // minor word with the question is noise, not a second part of the answer. Nor is a sentence
  // that matches the question less well than the best and only with words the sentences before it
  // already matched. 0 turns both off: sentences follow in score order.
  double min_relative_score = 0.5;
  // The answer when no sentence qualifies (no citations then; GenerationResult::refused), in the
  // question's language.
  LocalizedText not_found_message = default_not_found_message();
};

// Throws ragrt::Error kInvalidArgument when max_sentences or max_chars is 0 or min_score is not
// a number in [0, 1).
std::unique_ptr<Generator> make_extractive_generator(const ExtractiveGeneratorParams& params = {});

}  // namespace ragrt
