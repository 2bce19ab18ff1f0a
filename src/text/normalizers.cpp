// All tokenizers normalizers but Precompiled's charsmap, which has its own file.
#include <string>
#include <vector>

#include <utf8proc.h>

#include "text/byte_level.h"
#include "text/normalizer.h"
#include "text/pattern.h"
#include "text/precompiled_charsmap.h"
#include "text/regex.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt::text {

using nlohmann::json;

namespace {

bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool bert_is_whitespace(char32_t c) {
  return c == '\t' || c == '\n' || c == '\r' || unicode::is_whitespace(c);
}
bool bert_is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  return unicode::hf_is_other(c);
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {}

  void normalize(NormalizedString& s) const override {
    if (clean_text_) {
      bool needs = false;
      for (char ch : s.get()) {
        auto b = static_cast<unsigned char>(ch);
        if (b < 0x20 || b >= 0x7F) {
          needs = true;
          break;
        }
      }
      if (needs) {
        s.filter([](char32_t c) { return !(c == 0 || c == 0xFFFD || bert_is_control(c)); });
        s.expand_chars([](char32_t c, std::string& out) {
          if (bert_is_whitespace(c)) out.push_back(' ');
          else append_utf8(out, c);
        });
      }
    }
    if (chinese_ && has_non_ascii(s)) {
      s.expand_chars([](char32_t c, std::string& out) {
        if (is_chinese_char(c)) {
          out.push_back(' ');
          append_utf8(out, c);
          out.push_back(' ');
        } else {
          append_utf8(out, c);
        }
      });
    }
    if (strip_accents_ && has_non_ascii(s)) {
      s.nfd();
      s.filter([](char32_t c) { return !unicode::hf_is_mark_nonspacing(c); });
    }
    if (lowercase_) s.lowercase();
  }

 private:
  static bool has_non_ascii(const NormalizedString& s) {
    for (char ch : s.get())
      if (static_cast<unsigned char>(ch) >= 0x80) return true;
    return false;
  }
  bool clean_text_, chinese_, strip_accents_, lowercase_;
};

class UnicodeNormalizer : public Normalizer {
 public:
  enum Form { kNfc, kNfd, kNfkc, kNfkd };
  explicit UnicodeNormalizer(Form f) : form_(f) {}
  void normalize(NormalizedString& s) const override {
    switch (form_) {
      case kNfc: s.nfc(); break;
      case kNfd: s.nfd(); break;
      case kNfkc: s.nfkc(); break;
      case kNfkd: s.nfkd(); break;
    }
  }

 private:
  Form form_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { s.lowercase(); }
};

class StripAccentsNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) { return !unicode::hf_is_combining_mark(c); });
  }
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override { s.lrstrip(left_, right_); }

 private:
  bool left_, right_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string p) : prepend_(std::move(p)) {}
  void normalize(NormalizedString& s) const override {
    if (!s.empty()) s.prepend(prepend_);
  }

 private:
  std::string prepend_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(std::unique_ptr<Regex> re, std::string literal, std::string content)
      : regex_(std::move(re)), literal_(std::move(literal)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override {
    thread_local std::vector<Split> matches;
    if (regex_) regex_->find_matches(s.get(), matches);
    else find_literal_matches(s.get(), literal_, matches);
    s.replace(matches, content_);
  }

 private:
  std::unique_ptr<Regex> regex_;  // null for a non-empty literal, searched directly
  std::string literal_;
  std::string content_;
};

class NmtNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) {
      return !((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
               c == 0x8F || c == 0x9F);
    });
    s.expand_chars([](char32_t c, std::string& out) {
      bool space = c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 ||
                   (c >= 0x200B && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x2581 ||
                   c == 0xFEFF || c == 0xFFFD;
      append_utf8(out, space ? U' ' : c);
    });
  }
};

class ByteLevelNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    if (!s.empty()) byte_level_encode(s);
  }
};

class PrecompiledNormalizer : public Normalizer {
 public:
  explicit PrecompiledNormalizer(PrecompiledCharsmap map) : map_(std::move(map)) {
    for (int c = 0; c < 0x80; ++c) {
      char ch = static_cast<char>(c);
      ascii_maps_[c] = map_.transform(std::string_view(&ch, 1)).has_value();
    }
  }

  void normalize(NormalizedString& s) const override {
    const std::string& text = s.get();
    // Nothing to do for ASCII text none of whose chars (nor CR LF) the map touches.
    bool touched = false;
    for (size_t i = 0; i < text.size(); ++i) {
      auto b = static_cast<unsigned char>(text[i]);
      if (b >= 0x80 || ascii_maps_[b] || b == '\r') {
        touched = true;
        break;
      }
    }
    if (!touched) return;

    std::vector<CharChange> trans;
    trans.reserve(text.size());
    bool modified = false;
    size_t i = 0, n = text.size();
    while (i < n) {
      // Extended grapheme cluster [i, j).
      size_t j = i;
      char32_t c = decode_utf8(text.data(), j);
      utf8proc_int32_t state = 0;
      char32_t prev = c;
      while (j < n) {
        auto b = static_cast<unsigned char>(text[j]);
        if (b < 0x80 && prev < 0x80 && !(prev == '\r' && b == '\n')) break;
        size_t k = j;
        char32_t next = decode_utf8(text.data(), k);
        if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev),
                                             static_cast<utf8proc_int32_t>(next), &state))
          break;
        prev = next;
        j = k;
      }
      std::string_view g(text.data() + i, j - i);
      if (g.size() < 6) {
        if (auto norm = map_.transform(g)) {
          modified = true;
          replace(trans, g, *norm);
          i = j;
          continue;
        }
      }
      for (size_t p = i; p < j;) {
        size_t q = p;
        char32_t ch = decode_utf8(text.data(), q);
        std::string_view part(text.data() + p, q - p);
        if (auto norm = map_.transform(part)) {
          modified = true;
          replace(trans, part, *norm);
        } else {
          trans.push_back({ch, 0});
        }
        p = q;
      }
      i = j;
    }
    if (modified) s.transform(trans, 0);
  }

 private:
  // spm_precompiled's replace(): new chars replace the old ones; extra chars are insertions and
  // a shorter replacement folds the difference into the last change.
  static void replace(std::vector<CharChange>& trans, std::string_view old_part, std::string_view new_part) {
    auto old_count = static_cast<int64_t>(count_chars(old_part));
    auto new_count = static_cast<int64_t>(count_chars(new_part));
    int64_t diff = new_count - old_count;
    for (size_t i = 0; i < new_part.size();) trans.push_back({decode_utf8(new_part.data(), i), 0});
    if (diff > 0) {
      for (int64_t k = 0; k < diff && k < static_cast<int64_t>(trans.size()); ++k)
        trans[trans.size() - 1 - k].change = 1;
    } else if (diff < 0 && !trans.empty()) {
      trans.back().change += static_cast<int32_t>(diff);
    }
  }

  PrecompiledCharsmap map_;
  bool ascii_maps_[0x80];
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> n) : normalizers_(std::move(n)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& n : normalizers_) n->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> normalizers_;
};

// {"String": "..."} or {"Regex": "..."}: returns (is_regex, text).
std::pair<bool, std::string> read_pattern(const json& obj, const JsonPath& at) {
  const json& p = json_require(obj, "pattern", at);
  JsonPath pat = at.field("pattern");
  if (p.is_string()) return {false, p.get<std::string>()};
  json_require_object(p, pat);
  if (auto s = json_opt_string(p, "String", pat)) return {false, *s};
  if (auto r = json_opt_string(p, "Regex", pat)) return {true, *r};
  json_fail(pat, "must be {{\"String\": ...}} or {{\"Regex\": ...}}");
}

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json& j, const JsonPath& at) {
  if (j.is_null()) return nullptr;
  std::string type = json_type(j, at);
  if (type == "BertNormalizer") {
    bool lowercase = json_bool(j, "lowercase", at, true);
    auto strip = json_opt_bool(j, "strip_accents", at);
    return std::make_unique<BertNormalizer>(json_bool(j, "clean_text", at, true),
                                            json_bool(j, "handle_chinese_chars", at, true),
                                            strip.value_or(lowercase), lowercase);
  }
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(UnicodeNormalizer::kNfc);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(UnicodeNormalizer::kNfd);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(UnicodeNormalizer::kNfkc);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(UnicodeNormalizer::kNfkd);
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_unique<StripAccentsNormalizer>();
  if (type == "Nmt") return std::make_unique<NmtNormalizer>();
  if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
  if (type == "Strip")
    return std::make_unique<StripNormalizer>(json_bool(j, "strip_left", at, true),
                                             json_bool(j, "strip_right", at, true));
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(json_string(j, "prepend", at));
  if (type == "Replace") {
    auto [is_regex, pattern] = read_pattern(j, at);
    std::string content = json_string(j, "content", at);
    std::string where = at.field("pattern").str();
    if (is_regex) return std::make_unique<ReplaceNormalizer>(std::make_unique<Regex>(pattern, where), "", content);
    if (pattern.empty())
      return std::make_unique<ReplaceNormalizer>(std::make_unique<Regex>(escape_regex(pattern), where), "", content);
    return std::make_unique<ReplaceNormalizer>(nullptr, pattern, content);
  }
  if (type == "Precompiled") {
    const json* m = json_find(j, "precompiled_charsmap");
    JsonPath mp = at.field("precompiled_charsmap");
    std::string bytes;
    if (!m) {
      bytes.clear();
    } else if (m->is_string()) {
      bytes = base64_decode(m->get<std::string>(), mp.str());
    } else if (m->is_array()) {
      for (const auto& b : *m) {
        if (!b.is_number_unsigned() || b.get<uint64_t>() > 255) json_fail(mp, "must hold bytes");
        bytes.push_back(static_cast<char>(b.get<uint64_t>()));
      }
    } else {
      json_fail(mp, "must be a base64 string");
    }
    if (bytes.empty()) {
      // tokenizers treats an empty charsmap as the identity.
      return std::make_unique<SequenceNormalizer>(std::vector<std::unique_ptr<Normalizer>>{});
    }
    return std::make_unique<PrecompiledNormalizer>(PrecompiledCharsmap(bytes, mp.str()));
  }
  if (type == "Sequence") {
    const json& list = json_require(j, "normalizers", at);
    JsonPath lp = at.field("normalizers");
    if (!list.is_array()) json_fail(lp, "must be an array");
    std::vector<std::unique_ptr<Normalizer>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto n = make_normalizer(list[i], lp.index(i));
      if (n) items.push_back(std::move(n));
    }
    return std::make_unique<SequenceNormalizer>(std::move(items));
  }
  json_fail(at.field("type"), "\"{}\" is not supported", type);
}

}  // namespace ragrt::text
