#include <string>
#include <vector>

#include "text/byte_level.h"
#include "text/pattern.h"
#include "text/pre_tokenizer.h"
#include "text/regex.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt::text {

using nlohmann::json;

namespace {

// Splits `s` into the given byte ranges (which must fall on char boundaries).
void slice_ranges(const NormalizedString& s, const std::vector<std::pair<size_t, size_t>>& ranges,
                  std::vector<NormalizedString>& out) {
  for (auto [b, e] : ranges) {
    if (auto piece = s.slice(b, e)) out.push_back(std::move(*piece));
  }
}

// Splitting on a char predicate with a behaviour, the common shape of many pre-tokenizers.
template <typename Pred>
void split_on_chars(NormalizedString&& s, Pred&& pred, SplitBehavior behavior, std::vector<NormalizedString>& out) {
  thread_local std::vector<Split> matches;
  find_char_matches(s.get(), pred, matches);
  bool any = false;
  for (const Split& m : matches) any |= m.is_match;
  if (!any) {
    out.push_back(std::move(s));
    return;
  }
  for (NormalizedString& p : s.split(matches, behavior)) out.push_back(std::move(p));
}

class BertPreTokenizer : public PreTokenizer {
 public:
  // Whitespace removed, then punctuation isolated; done in one pass (slicing a slice equals
  // slicing the whole).
  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      thread_local std::vector<std::pair<size_t, size_t>> ranges;
      ranges.clear();
      const std::string& t = s.get();
      size_t i = 0, n = t.size(), start = 0;
      while (i < n) {
        size_t b = i;
        char32_t c = decode_utf8(t.data(), i);
        if (unicode::is_whitespace(c)) {
          if (start < b) ranges.emplace_back(start, b);
          start = i;
        } else if (unicode::is_bert_punctuation(c)) {
          if (start < b) ranges.emplace_back(start, b);
          ranges.emplace_back(b, i);
          start = i;
        }
      }
      if (start < n) ranges.emplace_back(start, n);
      if (ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == n) {
        out.push_back(std::move(s));
        return;
      }
      slice_ranges(s, ranges, out);
    });
  }
};

// \w+|[^\w\s]+ with Rust regex classes; everything else is dropped.
class WhitespacePreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      thread_local std::vector<std::pair<size_t, size_t>> ranges;
      ranges.clear();
      const std::string& t = s.get();
      size_t i = 0, n = t.size();
      int run_class = -1;  // 0 word, 1 other non-space
      size_t run_start = 0;
      while (i < n) {
        size_t b = i;
        char32_t c = decode_utf8(t.data(), i);
        int cls = unicode::is_regex_word(c) ? 0 : unicode::is_whitespace(c) ? 2 : 1;
        if (cls != run_class) {
          if (run_class == 0 || run_class == 1) ranges.emplace_back(run_start, b);
          run_class = cls;
          run_start = b;
        }
      }
      if (run_class == 0 || run_class == 1) ranges.emplace_back(run_start, n);
      if (ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == n) {
        out.push_back(std::move(s));
        return;
      }
      slice_ranges(s, ranges, out);
    });
  }
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      split_on_chars(std::move(s), unicode::is_whitespace, SplitBehavior::kRemoved, out);
    });
  }
};

class PunctuationPreTokenizer : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitBehavior b) : behavior_(b) {}
  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([&](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      split_on_chars(std::move(s), unicode::is_bert_punctuation, behavior_, out);
    });
  }

 private:
  SplitBehavior behavior_;
};

class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  void pre_tokenize(PreTokenizedString& pts) const override {
    auto behavior = individual_ ? SplitBehavior::kIsolated : SplitBehavior::kContiguous;
    pts.split_normalized([&](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      split_on_chars(std::move(s), unicode::is_numeric, behavior, out);
    });
  }

 private:
  bool individual_;
};

class CharDelimiterSplitPreTokenizer : public PreTokenizer {
 public:
  explicit CharDelimiterSplitPreTokenizer(char32_t d) : delimiter_(d) {}
  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([&](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      split_on_chars(std::move(s), [&](char32_t c) { return c == delimiter_; }, SplitBehavior::kRemoved, out);
    });
  }

 private:
  char32_t delimiter_;
};

enum class PrependScheme { kAlways, kFirst, kNever };

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split)
      : replacement_(replacement), str_rep_(utf8_of(replacement)), scheme_(scheme), split_(split) {}

  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([&](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      thread_local std::vector<Split> matches;
      find_char_matches(s.get(), [](char32_t c) { return c == U' '; }, matches);
      s.replace(matches, str_rep_);
      bool starts = s.get().compare(0, str_rep_.size(), str_rep_) == 0;
      if (scheme_ == PrependScheme::kAlways && !starts) s.prepend(str_rep_);
      if (scheme_ == PrependScheme::kFirst && !starts && s.offsets_original().first == 0) s.prepend(str_rep_);
      if (split_) {
        split_on_chars(std::move(s), [&](char32_t c) { return c == replacement_; },
                       SplitBehavior::kMergedWithNext, out);
      } else {
        out.push_back(std::move(s));
      }
    });
  }

 private:
  char32_t replacement_;
  std::string str_rep_;
  PrependScheme scheme_;
  bool split_;
};

constexpr const char* kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex, const JsonPath& at)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {
    if (use_regex_) regex_ = std::make_unique<Regex>(kGpt2Pattern, at.str());
  }

  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([&](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      if (add_prefix_space_ && (s.get().empty() || s.get()[0] != ' ')) s.prepend(" ");
      if (!use_regex_) {
        out.push_back(std::move(s));
        return;
      }
      thread_local std::vector<Split> matches;
      regex_->find_matches(s.get(), matches);
      for (NormalizedString& p : s.split(matches, SplitBehavior::kIsolated)) out.push_back(std::move(p));
    });
    pts.normalize([](NormalizedString& s) { byte_level_encode(s); });
  }

 private:
  bool add_prefix_space_, use_regex_;
  std::unique_ptr<Regex> regex_;
};

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(std::unique_ptr<Regex> re, std::string literal, SplitBehavior b, bool invert)
      : regex_(std::move(re)), literal_(std::move(literal)), behavior_(b), invert_(invert) {}
  void pre_tokenize(PreTokenizedString& pts) const override {
    pts.split_normalized([&](size_t, NormalizedString&& s, std::vector<NormalizedString>& out) {
      thread_local std::vector<Split> matches;
      if (regex_) regex_->find_matches(s.get(), matches);
      else find_literal_matches(s.get(), literal_, matches);
      if (invert_) invert_matches(matches);
      for (NormalizedString& p : s.split(matches, behavior_)) out.push_back(std::move(p));
    });
  }

 private:
  std::unique_ptr<Regex> regex_;
  std::string literal_;
  SplitBehavior behavior_;
  bool invert_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> p) : items_(std::move(p)) {}
  void pre_tokenize(PreTokenizedString& pts) const override {
    for (const auto& p : items_) p->pre_tokenize(pts);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace

SplitBehavior parse_split_behavior(const std::string& name, const JsonPath& at) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  json_fail(at, "\"{}\" is not a split behavior (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)", name);
}

// Metaspace's settings, shared by the pre-tokenizer and the decoder: the legacy add_prefix_space
// flag maps onto prepend_scheme as tokenizers' deserializer does.
std::pair<char32_t, int> read_metaspace(const json& j, const JsonPath& at);

std::pair<char32_t, int> read_metaspace(const json& j, const JsonPath& at) {
  char32_t replacement = json_char(j, "replacement", at, U'\u2581');
  auto add_prefix_space = json_opt_bool(j, "add_prefix_space", at);
  auto scheme_name = json_opt_string(j, "prepend_scheme", at);
  int scheme = 0;
  if (scheme_name) {
    if (*scheme_name == "always") scheme = 0;
    else if (*scheme_name == "first") scheme = 1;
    else if (*scheme_name == "never") scheme = 2;
    else json_fail(at.field("prepend_scheme"), "\"{}\" is not one of always, first, never", *scheme_name);
  }
  // The legacy flag may only confirm the scheme: false with anything but "never" is refused, as
  // tokenizers refuses it.
  if (add_prefix_space && !*add_prefix_space && scheme != 2)
    json_fail(at.field("add_prefix_space"), "false does not match prepend_scheme \"{}\"",
              scheme_name.value_or("always"));
  return {replacement, scheme};
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const JsonPath& at) {
  if (j.is_null()) return nullptr;
  std::string type = json_type(j, at);
  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
  if (type == "Punctuation") {
    auto b = json_opt_string(j, "behavior", at);
    return std::make_unique<PunctuationPreTokenizer>(
        b ? parse_split_behavior(*b, at.field("behavior")) : SplitBehavior::kIsolated);
  }
  if (type == "Digits") return std::make_unique<DigitsPreTokenizer>(json_bool(j, "individual_digits", at, false));
  if (type == "CharDelimiterSplit")
    return std::make_unique<CharDelimiterSplitPreTokenizer>(json_char(j, "delimiter", at));
  if (type == "Metaspace") {
    auto [replacement, scheme] = read_metaspace(j, at);
    return std::make_unique<MetaspacePreTokenizer>(replacement, static_cast<PrependScheme>(scheme),
                                                   json_bool(j, "split", at, true));
  }
  if (type == "ByteLevel")
    return std::make_unique<ByteLevelPreTokenizer>(json_bool(j, "add_prefix_space", at, true),
                                                   json_bool(j, "use_regex", at, true), at);
  if (type == "Split") {
    const json& p = json_require(j, "pattern", at);
    JsonPath pat = at.field("pattern");
    json_require_object(p, pat);
    auto behavior = parse_split_behavior(json_string(j, "behavior", at), at.field("behavior"));
    bool invert = json_bool(j, "invert", at, false);
    if (auto s = json_opt_string(p, "String", pat)) {
      if (s->empty())
        return std::make_unique<SplitPreTokenizer>(std::make_unique<Regex>("", pat.str()), "", behavior, invert);
      return std::make_unique<SplitPreTokenizer>(nullptr, *s, behavior, invert);
    }
    if (auto r = json_opt_string(p, "Regex", pat))
      return std::make_unique<SplitPreTokenizer>(std::make_unique<Regex>(*r, pat.str()), "", behavior, invert);
    json_fail(pat, "must be {{\"String\": ...}} or {{\"Regex\": ...}}");
  }
  if (type == "Sequence") {
    const json& list = json_require(j, "pretokenizers", at);
    JsonPath lp = at.field("pretokenizers");
    if (!list.is_array()) json_fail(lp, "must be an array");
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto p = make_pre_tokenizer(list[i], lp.index(i));
      if (p) items.push_back(std::move(p));
    }
    return std::make_unique<SequencePreTokenizer>(std::move(items));
  }
  json_fail(at.field("type"), "\"{}\" is not supported", type);
}

}  // namespace ragrt::text
