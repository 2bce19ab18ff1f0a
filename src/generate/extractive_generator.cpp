#include "ragrt/extractive_generator.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "index/keyword_analyzer.h"
#include "ingest/text_boundaries.h"
#include "generate/chat_messages.h"
#include "ragrt/conversation_memory.h"
#include "ragrt/error.h"
#include "text/language.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// Sentences without end punctuation (headings, list labels) tend to repeat the question's words
// without answering it, so they lose ties against real sentences.
constexpr double kFragmentFactor = 0.75;
// The light preference for higher-ranked passages: the best gets +10%, the second +5%, …
constexpr double kPassageBonus = 0.1;
// The fewest sentences IDF is computed as if over (see generate).
constexpr double kMinIdfSentences = 20;

// Question words that say nothing about the answer. Sentence-level IDF cannot discount them: in a
// handful of sentences "is" or "for" is as rare as "refund", and would win as often.
const std::vector<std::string_view>& stopwords() {
  static const std::vector<std::string_view> kStopwords = {
      "a",     "about",  "after", "an",   "and",  "any",  "are",   "as",   "at",   "be",    "been", "but",   "by",
      "can",   "could",  "did",  "do",   "does", "for",   "from", "had",  "has",   "have", "how",   "i",
      "if",    "in",     "into", "is",   "it",   "its",   "me",   "my",   "of",    "on",   "or",    "our",
      "s",     "should", "so",   "t",    "tell", "than",  "that", "the",  "their", "them", "then",  "there",
      "these", "they",   "this", "to",   "us",   "was",   "we",   "were", "what",  "when", "where", "which",
      "who",   "whom",   "why",  "will", "with", "would", "you",  "your", "什么",  "怎么", "如何",  "为什",
      "哪些",  "哪里",   "是否", "可以", "请问", "我们",  "你们", "我的", "是什", "吗", "多久",
      "多少", "多长", "几天", "时候", "么时", "能否", "需要", "意思"};
  return kStopwords;
}

bool is_stopword_term(const std::string& t) {
  return std::find(stopwords().begin(), stopwords().end(), t) != stopwords().end();
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `s` without its English stopwords, judged as whole words before stemming: the stem of "used"
// is "us", which is not the stopword "us".
std::string without_stopwords(std::string_view s) {
  std::string out, word;
  auto flush = [&] {
    if (!is_stopword_term(lower_ascii(word))) out += word;
    word.clear();
  };
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '\'') {
      word += c;
      continue;
    }
    flush();
    out += c;
  }
  flush();
  return out;
}

// The terms of `s` as the keyword index analyzes them (CJK bigrams, case folding, accents
// removed, Porter stems), each once; stopwords left out with `drop_stopwords`.
std::vector<std::string> terms_of(std::string_view s, bool drop_stopwords) {
  std::vector<std::string> terms;
  for (std::string& t : index::keyword_analyzed_terms(drop_stopwords ? without_stopwords(s) : std::string(s)))
    if (!drop_stopwords || !is_stopword_term(t)) terms.push_back(std::move(t));  // the CJK ones
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

bool is_cjk_term(const std::string& t) { return !t.empty() && ingest::is_cjk(text::decode_utf8_at(t, 0)); }

// The question's CJK bigrams that straddle two words: one of their characters belongs to a
// neighbouring bigram that is a word (`is_word`: found in the context, or a question word such as
// 多久). In 退款多久到账, 款多 and 久到 are such; 退款, 多久 and 到账 are not.
template <class IsWord>
std::vector<std::string> bridge_bigrams(std::string_view question, IsWord&& is_word) {
  std::vector<std::string> out;
  std::vector<std::pair<size_t, size_t>> run;  // CJK characters of the current run: [begin, end)
  auto close_run = [&] {
    for (size_t k = 0; k + 1 < run.size(); ++k) {
      auto bigram = [&](size_t a) { return std::string(question.substr(run[a].first, run[a + 1].second - run[a].first)); };
      const bool before = k > 0 && is_word(bigram(k - 1));
      const bool after = k + 2 < run.size() && is_word(bigram(k + 1));
      if ((before || after) && !is_word(bigram(k))) out.push_back(bigram(k));
    }
    run.clear();
  };
  for (size_t i = 0; i < question.size();) {
    const size_t at = i;
    const char32_t c = text::decode_utf8(question.data(), i);
    if (ingest::is_cjk(c)) run.emplace_back(at, i);
    else close_run();
  }
  close_run();
  return out;
}

char32_t first_char(std::string_view s) { return s.empty() ? 0 : text::decode_utf8_at(s, 0); }
char32_t last_char(std::string_view s) {
  return s.empty() ? 0 : text::decode_utf8_at(s, text::prev_char_start(s, s.size()));
}

bool is_closer(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == U'\u2019' || c == U'\u201D' || c == U'\u300D' ||
         c == U'\u300F' || c == U'\uFF09' || c == U'\u3011';
}
bool is_terminator(char32_t c) {
  return c == '.' || c == '!' || c == '?' || c == U'\u3002' || c == U'\uFF01' || c == U'\uFF1F' || c == U'\uFF1B' ||
         c == U'\u2026' || c == U'\uFF0E' || c == U'\uFF61' || c == ';';
}
bool ends_sentence(std::string_view s) {
  while (!s.empty() && is_closer(last_char(s))) s.remove_suffix(s.size() - text::prev_char_start(s, s.size()));
  return !s.empty() && is_terminator(last_char(s));
}

// `s` with whitespace runs collapsed to one space and trimmed, and a leading Markdown heading or
// quote marker removed: the sentence as the answer shows it.
std::string clean_sentence(std::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    size_t at = i;
    char32_t c = text::decode_utf8(s.data(), i);
    if (text::unicode::is_whitespace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out.append(s.substr(at, i - at));
  }
  size_t skip = 0;
  while (skip < out.size() && (out[skip] == '#' || out[skip] == '>')) ++skip;
  if (skip > 0 && (skip == out.size() || out[skip] == ' ')) out.erase(0, std::min(out.size(), skip + 1));
  return out;
}

// Whether a line break at `p` ends a unit of its own: after a sentence's end, after a heading line,
// or before a list item or heading. Other line breaks are the hard wrapping of one paragraph
// ("... within 5 working days after the returned item\narrives at our warehouse.") and join.
bool line_break_ends_unit(std::string_view text, size_t begin, size_t p) {
  std::string_view before = text.substr(begin, p - begin);
  while (!before.empty() && text::unicode::is_whitespace(last_char(before)))
    before.remove_suffix(before.size() - text::prev_char_start(before, before.size()));
  if (before.empty() || ends_sentence(before) || last_char(before) == U':' || last_char(before) == U'：') return true;
  size_t line = before.rfind('\n');
  std::string_view last_line = before.substr(line == std::string_view::npos ? 0 : line + 1);
  size_t lead = last_line.find_first_not_of(" \t");
  if (lead != std::string_view::npos && (last_line[lead] == '#' || last_line[lead] == '|')) return true;
  size_t next = text.find_first_not_of(" \t\r\n", p);
  if (next == std::string_view::npos) return true;
  char c = text[next];
  if (c == '#' || c == '-' || c == '*' || c == '|' || c == '>') return true;
  size_t digits = next;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  return digits > next && digits < text.size() && (text[digits] == '.' || text[digits] == ')');
}

// The sentences of `text` (valid UTF-8): cut where the chunk splitter would cut sentences,
// paragraphs and sections, and at line breaks that end a unit (line_break_ends_unit).
std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  const ingest::TextBoundaries b = ingest::find_text_boundaries(text, {}, {});
  size_t begin = 0;
  for (size_t p = 1; p <= text.size(); ++p) {
    if (p < text.size()) {
      if (b.rank[p] < ingest::kSentence) continue;
      if (b.rank[p] == ingest::kLine && !line_break_ends_unit(text, begin, p)) continue;
    }
    std::string s = clean_sentence(text.substr(begin, p - begin));
    if (!s.empty()) out.push_back(std::move(s));
    begin = p;
  }
  return out;
}

// `s` cut to at most `max_chars` code points at a word boundary, with "…" appended.
std::string shorten(const std::string& s, size_t max_chars) {
  if (max_chars < 2) return {};
  size_t limit = 0;  // byte offset after max_chars - 1 code points
  for (size_t chars = 0; chars + 1 < max_chars && limit < s.size(); ++chars)
    limit += text::utf8_seq_len(static_cast<unsigned char>(s[limit]));
  const ingest::TextBoundaries b = ingest::find_text_boundaries(s, {}, {});
  size_t cut = limit;
  while (cut > 0 && b.rank[cut] < ingest::kWord) --cut;
  if (cut == 0) {
    cut = limit;
    while (cut > 0 && b.rank[cut] < ingest::kCodepoint) --cut;
  }
  std::string out = s.substr(0, cut);
  while (!out.empty() && text::unicode::is_whitespace(last_char(out)))
    out.resize(text::prev_char_start(out, out.size()));
  return out.empty() ? out : out + "…";
}

struct Source {
  std::string id;
  std::string text;
  size_t rank = 0;  // 0 = the best passage (and tool results)
  // Retrieval score relative to the best passage's, in (0, 1]; 1 for tool results and when the
  // scores say nothing (not all positive).
  double relevance = 1;
};

struct Candidate {
  std::string text;
  const Source* source = nullptr;
  std::vector<std::string> terms;
  std::vector<std::string> matched_terms;  // of the question and the tool results
  double coverage = 0;  // the score min_score is compared with
  double rank_score = 0;
  bool matched = false;
};

class ExtractiveGenerator final : public Generator {
 public:
  explicit ExtractiveGenerator(ExtractiveGeneratorParams p) : p_(std::move(p)) {}

  bool is_llm() const override { return false; }
  std::string description() const override {
    return fmt::format("extractive (up to {} sentences, {} chars)", p_.max_sentences, p_.max_chars);
  }

  GenerationResult generate(const GenerationRequest& request) override;

 private:
  ExtractiveGeneratorParams p_;
};

GenerationResult ExtractiveGenerator::generate(const GenerationRequest& request) {
  const auto start = Clock::now();
  GenerationResult result;

  // The question, and the tool results among the sources.
  std::optional<std::string> question;
  std::vector<Source> sources;
  RAGRT_THROW_IF_NOT_KIND(!request.messages.empty() || request.prompt, ErrorKind::kInvalidArgument,
                          "the request has no messages (and no raw prompt)");
  generate::require_roles(request.messages);
  for (size_t i = 0; i < request.messages.size(); ++i) {
    const ChatMessage& m = request.messages[i];
    const std::string role = m["role"].get<std::string>();
    if (role == "user") {
      question = m.contains("content") ? generate::content_text(m["content"], "\n") : "";
    } else if (role == "tool") {
      Source s;
      for (const char* key : {"name", "tool_call_id"}) {
        if (m.contains(key) && m[key].is_string() && !m[key].get<std::string>().empty()) {
          s.id = m[key].get<std::string>();
          break;
        }
      }
      if (s.id.empty()) s.id = "tool";
      s.text = m.contains("content") ? generate::content_text(m["content"], "\n") : "";
      text::require_valid_utf8(s.text, fmt::format("the content of message {} (tool)", i));
      sources.push_back(std::move(s));
    }
  }
  if (!question && request.prompt) question = *request.prompt;
  RAGRT_THROW_IF_NOT_KIND(question.has_value(), ErrorKind::kInvalidArgument,
                          "the extractive generator needs a message with role \"user\" holding the question");
  text::require_valid_utf8(*question, "the question (last user message)");

  // Passages by descending retrieval score; their text came from documents, so a stray bad byte
  // costs that character rather than the answer.
  // Tool results (kind "tool") are the live answer to the question ("where is my order"): they
  // are quoted whole and first, whatever their word overlap, and documents add to them.
  // Notices (a lookup that failed) are what the customer must hear first, uncited.
  std::vector<const ContextPassage*> passages, tool_results, notices;
  for (const ContextPassage& c : request.context)
    (c.kind == "tool" ? tool_results : c.kind == "notice" ? notices : passages).push_back(&c);
  std::stable_sort(passages.begin(), passages.end(), [](auto* a, auto* b) { return a->score > b->score; });
  const bool scored = !passages.empty() && std::all_of(passages.begin(), passages.end(), [](auto* p) {
    return std::isfinite(p->score) && p->score > 0;
  });
  for (size_t r = 0; r < passages.size(); ++r) {
    double relevance = scored ? passages[r]->score / passages.front()->score : 1;
    sources.push_back({passages[r]->id, text::from_utf8_lossy(passages[r]->text), r, relevance});
  }

  // Candidate sentences, each kept once (overlapping chunks repeat them) from its best source.
  std::vector<Candidate> candidates;
  std::unordered_set<std::string> seen;
  std::vector<const Source*> ordered;
  for (const Source& s : sources) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->rank < b->rank; });
  for (const Source* s : ordered) {
    for (std::string& sentence : split_sentences(s->text)) {
      if (!seen.insert(sentence).second) continue;
      Candidate& c = candidates.emplace_back();
      c.text = std::move(sentence);
      c.source = s;
      c.terms = terms_of(c.text, false);
    }
  }

  // IDF over the candidates themselves: a word in every sentence tells them apart no better than
  // "the" does.
  // A question of stopwords only ("Who are you?") keeps them: they are all it has.
  std::vector<std::string> query = terms_of(*question, true);
  // "How long" asks for a duration; "long" is not a word the answer needs.
  if (lower_ascii(*question).find("how long") != std::string::npos) std::erase(query, std::string("long"));
  if (query.empty()) query = terms_of(*question, false);
  // With live data (an order's status), documents are wanted for what they say about it: "In
  // transit means …" relates to "Order 12345: In transit with UPS".
  std::vector<std::string> related;
  for (const ContextPassage* t : tool_results)
    for (std::string& term : terms_of(text::from_utf8_lossy(t->text), true)) related.push_back(std::move(term));
  std::unordered_map<std::string, size_t> df;
  for (const std::string& t : query) df[t] = 0;
  for (const std::string& t : related) df[t] = 0;
  for (const Candidate& c : candidates)
    for (const std::string& t : c.terms)
      if (auto it = df.find(t); it != df.end()) ++it->second;
  // At least kMinIdfSentences: over the handful of sentences of one passage, a word in one of two
  // sentences would count for nothing.
  const double n = std::max(static_cast<double>(candidates.size()), kMinIdfSentences);
  std::unordered_map<std::string, double> idf;
  for (const auto& [t, d] : df) idf[t] = std::log(1 + (n - static_cast<double>(d) + 0.5) / (static_cast<double>(d) + 0.5));
  // What a sentence must match: every term of the question (a word no sentence has, "pizza",
  // counts against all), except that a Chinese bigram found nowhere counts half: bigrams across
  // two words (退款多久 -> 款多) are mostly such. Of the tool results' terms, those some sentence has.
  double question_weight = 0, related_weight = 0;
  std::unordered_map<std::string, double> weight;
  const std::vector<std::string> bridges = bridge_bigrams(*question, [&](const std::string& t) {
    auto it = df.find(t);
    return (it != df.end() && it->second > 0) || is_stopword_term(t);
  });
  for (const std::string& t : query) {
    double w = idf[t];
    if (df[t] == 0 && is_cjk_term(t) && std::find(bridges.begin(), bridges.end(), t) != bridges.end()) w = 0;
    weight[t] = w;
    question_weight += w;
  }
  // Identifiers (order numbers, dates, tracking codes) are what the result is about, not what a
  // policy would say about it.
  std::erase_if(related, [](const std::string& t) { return t.find_first_of("0123456789") != std::string::npos; });
  std::unordered_set<std::string> related_set(related.begin(), related.end());
  for (const std::string& t : related_set) related_weight += idf[t];
  std::vector<Candidate*> qualified;
  for (Candidate& c : candidates) {
    double matched = 0, matched_related = 0;
    for (const std::string& t : c.terms) {
      const auto it = weight.find(t);
      if (it != weight.end()) matched += it->second;
      if (related_set.contains(t)) matched_related += idf[t];
      if (it != weight.end() || related_set.contains(t)) {
        c.matched = true;
        c.matched_terms.push_back(t);
      }
    }
    c.coverage = question_weight > 0 ? matched / question_weight : 0;
    if (related_weight > 0) c.coverage = std::max(c.coverage, matched_related / related_weight);
    // A sentence from a passage the retriever rated lower needs a better match to compete.
    c.rank_score = c.coverage * (1 + kPassageBonus / static_cast<double>(1 + c.source->rank)) *
                   (0.5 + 0.5 * c.source->relevance) *
                   (ends_sentence(c.text) ? 1.0 : kFragmentFactor);
    if (c.matched && c.coverage > p_.min_score) qualified.push_back(&c);
  }
  std::stable_sort(qualified.begin(), qualified.end(), [](auto* a, auto* b) { return a->rank_score > b->rank_score; });
  // Headings and labels (no end punctuation) answer nothing when whole sentences do; and a later
  // sentence must match about as well as the best, or it is noise that happens to share a word.
  if (std::any_of(qualified.begin(), qualified.end(), [](auto* c) { return ends_sentence(c->text); }))
    std::erase_if(qualified, [](auto* c) { return !ends_sentence(c->text); });
  if (!qualified.empty() && p_.min_relative_score > 0) {
    const Candidate& best = *qualified.front();
    const double floor = best.rank_score * p_.min_relative_score;
    std::erase_if(qualified, [&](auto* c) { return c->rank_score < floor; });
    // A weaker sentence that matches only words already answered says nothing more about the
    // question: "积分在签收14天后到账" shares 到账 with 退款多久到账, which the refund sentence
    // answered whole.
    std::unordered_set<std::string> answered;
    std::erase_if(qualified, [&](const Candidate* c) {
      const bool adds = std::any_of(c->matched_terms.begin(), c->matched_terms.end(),
                                    [&](const std::string& t) { return !answered.contains(t); });
      if (c != &best && !adds && c->coverage < best.coverage) return true;
      answered.insert(c->matched_terms.begin(), c->matched_terms.end());
      return false;
    });
  }

  // The answer, as pieces that each carry their separator, sentence and citation marker.
  struct Piece {
    std::string text;
    std::string cites;  // "" for the not-found message
  };
  std::vector<Piece> pieces;
  size_t chars = 0;
  std::string_view previous;
  std::vector<std::string> notice_texts;
  notice_texts.reserve(notices.size());  // `previous` points into it
  for (const ContextPassage* t : notices) {
    std::string text = text::from_utf8_lossy(t->text);
    if (text.empty()) continue;
    const std::string sep = previous.empty() || (ingest::is_cjk(last_char(previous)) && ingest::is_cjk(first_char(text))) ? "" : " ";
    chars += text::count_chars(sep) + text::count_chars(text);
    pieces.push_back({sep + text, ""});
    previous = notice_texts.emplace_back(std::move(text));
  }
  std::vector<std::string> tool_texts;
  tool_texts.reserve(tool_results.size());  // `previous` points into it
  for (const ContextPassage* t : tool_results) {
    std::string text = text::from_utf8_lossy(t->text);
    const std::string marker = (ingest::is_cjk(last_char(text)) ? "[" : " [") + t->id + "]";
    const std::string sep = previous.empty() ? "" : " ";
    const size_t fixed = text::count_chars(sep) + text::count_chars(marker);
    if (chars + fixed >= p_.max_chars) break;
    if (chars + fixed + text::count_chars(text) > p_.max_chars) text = shorten(text, p_.max_chars - chars - fixed);
    if (text.empty()) continue;
    chars += fixed + text::count_chars(text);
    pieces.push_back({sep + text + marker, t->id});
    previous = tool_texts.emplace_back(std::move(text));
  }
  const size_t pinned = pieces.size();  // max_sentences counts document sentences only
  for (const Candidate* c : qualified) {
    if (pieces.size() - pinned == p_.max_sentences) break;
    const bool cjk_end = ingest::is_cjk(last_char(c->text));
    const std::string marker = (cjk_end ? "[" : " [") + c->source->id + "]";
    const std::string sep =
        previous.empty() || (ingest::is_cjk(last_char(previous)) && ingest::is_cjk(first_char(c->text))) ? "" : " ";
    const size_t fixed = text::count_chars(sep) + text::count_chars(marker);
    std::string sentence = c->text;
    if (chars + fixed + text::count_chars(sentence) > p_.max_chars) {
      if (pieces.size() > pinned || chars + fixed >= p_.max_chars) continue;
      sentence = shorten(sentence, p_.max_chars - fixed);
      if (sentence.empty()) continue;
    }
    chars += fixed + text::count_chars(sentence);
    pieces.push_back({sep + sentence + marker, c->source->id});
    previous = c->text;
  }
  if (pieces.empty()) {
    pieces.push_back({p_.not_found_message.in(text::language_of(*question)), ""});
    result.refused = true;
  }

  // Stop strings end the answer before the first of them, wherever it falls.
  std::string full;
  for (const Piece& piece : pieces) full += piece.text;
  size_t cut = full.size();
  for (const std::string& stop : request.sampling.stop)
    if (!stop.empty()) cut = std::min(cut, full.find(stop));
  // A stop string that is not valid UTF-8 could match mid-character; never split one.
  while (cut < full.size() && (static_cast<unsigned char>(full[cut]) & 0xC0) == 0x80) --cut;

  size_t pos = 0;
  for (const Piece& piece : pieces) {
    if (pos >= cut) break;
    if (request.cancel && request.cancel->load()) {
      result.finish_reason = FinishReason::kCancelled;
      break;
    }
    const std::string out = piece.text.substr(0, cut - pos);
    pos += piece.text.size();
    if (!piece.cites.empty() && pos <= cut &&
        std::find(result.citations.begin(), result.citations.end(), piece.cites) == result.citations.end())
      result.citations.push_back(piece.cites);
    if (result.text.empty())
      result.time_to_first_token_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    result.text += out;
    if (request.on_text && !out.empty()) request.on_text(out);
  }
  // Usage in OpenAI's terms, estimated: this generator has no tokenizer. The prompt is what an LLM
  // would have read (the messages, which carry the passages), the completion the answer's text.
  for (const ChatMessage& m : request.messages) result.prompt_tokens += estimate_tokens(m);
  if (request.prompt) result.prompt_tokens += estimate_tokens(ChatMessage{{"content", *request.prompt}});
  if (!result.text.empty()) {
    constexpr size_t kMessageMarkup = 4;  // what estimate_tokens adds per message; an answer has none
    result.completion_tokens = estimate_tokens(ChatMessage{{"content", result.text}}) - kMessageMarkup;
  }
  result.usage_estimated = true;
  result.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

}  // namespace

LocalizedText default_not_found_message() {
  return LocalizedText({{"en", "The documents I have do not answer this question."},
                        {"zh", "抱歉，我手头的资料里没有这个问题的答案。"}});
}

std::unique_ptr<Generator> make_extractive_generator(const ExtractiveGeneratorParams& params) {
  RAGRT_THROW_IF_NOT_KIND(params.max_sentences > 0, ErrorKind::kInvalidArgument, "max_sentences must be at least 1");
  RAGRT_THROW_IF_NOT_KIND(params.max_chars > 0, ErrorKind::kInvalidArgument, "max_chars must be at least 1");
  RAGRT_THROW_IF_NOT_KIND(std::isfinite(params.min_score) && params.min_score >= 0 && params.min_score < 1,
                          ErrorKind::kInvalidArgument, "min_score must be in [0, 1) (got {})", params.min_score);
  RAGRT_THROW_IF_NOT_KIND(
      std::isfinite(params.min_relative_score) && params.min_relative_score >= 0 && params.min_relative_score <= 1,
      ErrorKind::kInvalidArgument, "min_relative_score must be in [0, 1] (got {})", params.min_relative_score);
  for (const auto& [language, message] : params.not_found_message.by_language)
    text::require_valid_utf8(message, "not_found_message");
  return std::make_unique<ExtractiveGenerator>(params);
}

}  // namespace ragrt
