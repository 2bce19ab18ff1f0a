#include <map>
#include <string>
#include <vector>

#include "text/byte_level.h"
#include "text/encoding_ops.h"
#include "text/post_processor.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt::text {

using nlohmann::json;

Encoding PostProcessor::process(Encoding first, std::optional<Encoding> second, bool add_special_tokens,
                                const SourceTexts& texts) const {
  std::vector<Encoding> encs;
  encs.push_back(std::move(first));
  if (second) encs.push_back(std::move(*second));
  for (size_t i = 0; i < encs.size(); ++i) set_sequence_id(encs[i], static_cast<int32_t>(i));
  process_encodings(encs, add_special_tokens, texts);
  if (encs.size() == 1) return std::move(encs[0]);
  Encoding out;
  for (const Encoding& e : encs) append_encoding(out, e);
  return out;
}

void trim_byte_level_offsets(Encoding& e, bool add_prefix_space, const SourceTexts& texts) {
  const char32_t space_char = byte_level_tables().byte_to_char[' '];
  auto is_space = [&](char32_t c) { return c == space_char || unicode::is_whitespace(c); };
  for (size_t i = 0; i < e.size(); ++i) {
    const std::string& tok = e.tokens[i];
    Offsets& off = e.offsets[i];
    size_t leading = 0, trailing = 0;
    for (size_t p = 0; p < tok.size();) {
      if (!is_space(decode_utf8(tok.data(), p))) break;
      ++leading;
    }
    for (size_t p = tok.size(); p > 0;) {
      size_t q = prev_char_start(tok, p);
      if (!is_space(decode_utf8_at(tok, q))) break;
      ++trailing;
      p = q;
    }
    if (leading == 0 && trailing == 0) continue;
    int32_t seq = i < e.sequence_ids.size() ? e.sequence_ids[i] : -1;
    std::string_view text = (seq >= 0 && seq < 2) ? texts[static_cast<size_t>(seq)] : std::string_view();
    bool by_chars = off.first <= off.second && off.second <= text.size();
    if (leading > 0) {
      bool is_first = i == 0 || off.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      if (by_chars) {
        for (size_t k = 0; k < leading && off.first < off.second; ++k)
          off.first += utf8_seq_len(static_cast<unsigned char>(text[off.first]));
        off.first = std::min(off.first, off.second);
      } else {
        off.first = std::min(off.first + leading, off.second);
      }
    }
    if (trailing > 0) {
      if (by_chars) {
        size_t end = off.second, k = 0;
        for (; k < trailing && end > 0; ++k) end = prev_char_start(text, end);
        if (k == trailing) off.second = std::max(end, off.first);
      } else if (off.second >= trailing) {
        off.second = std::max(off.second - trailing, off.first);
      }
    }
  }
}

namespace {

Encoding special_encoding(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens, int32_t type_id) {
  Encoding e;
  e.ids = ids;
  e.tokens = tokens;
  e.type_ids.assign(ids.size(), type_id);
  e.offsets.assign(ids.size(), Offsets{0, 0});
  e.special_tokens_mask.assign(ids.size(), 1);
  e.attention_mask.assign(ids.size(), 1);
  e.sequence_ids.assign(ids.size(), -1);
  return e;
}

struct SpecialToken {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
};

class TemplateProcessing : public PostProcessor {
 public:
  struct Piece {
    bool is_sequence;
    int sequence;          // 0 = A, 1 = B
    std::string special;   // name into special_tokens_
    int32_t type_id;
  };
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair, std::map<std::string, SpecialToken> specials)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {}

  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const Piece& p : is_pair ? pair_ : single_)
      if (!p.is_sequence) n += specials_.at(p.special).ids.size();
    return n;
  }

  void process_encodings(std::vector<Encoding>& encs, bool add_special_tokens,
                         const SourceTexts& texts) const override {
    const auto& tmpl = encs.size() == 2 ? pair_ : single_;
    std::vector<Encoding> out;
    out.reserve(tmpl.size());
    for (const Piece& p : tmpl) {
      if (p.is_sequence) {
        size_t i = static_cast<size_t>(p.sequence);
        if (i >= encs.size()) continue;
        Encoding& e = encs[i];
        e.type_ids.assign(e.size(), p.type_id);
        set_sequence_id(e, static_cast<int32_t>(i));
        out.push_back(e);
      } else if (add_special_tokens) {
        const SpecialToken& s = specials_.at(p.special);
        out.push_back(special_encoding(s.ids, s.tokens, p.type_id));
      }
    }
    encs = std::move(out);
  }

 private:
  std::vector<Piece> single_, pair_;
  std::map<std::string, SpecialToken> specials_;
};

class BertProcessing : public PostProcessor {
 public:
  BertProcessing(std::pair<std::string, int32_t> sep, std::pair<std::string, int32_t> cls)
      : sep_(std::move(sep)), cls_(std::move(cls)) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 3 : 2; }
  void process_encodings(std::vector<Encoding>& encs, bool add_special_tokens,
                         const SourceTexts& texts) const override {
    if (!add_special_tokens) return;
    std::vector<Encoding> out;
    for (size_t i = 0; i < encs.size(); ++i) {
      Encoding r;
      if (i == 0) append_encoding(r, special_encoding({cls_.second}, {cls_.first}, 0));
      append_encoding(r, encs[i]);
      append_encoding(r, special_encoding({sep_.second}, {sep_.first}, i == 0 ? 0 : 1));
      out.push_back(std::move(r));
    }
    encs = std::move(out);
  }

 private:
  std::pair<std::string, int32_t> sep_, cls_;
};

class RobertaProcessing : public PostProcessor {
 public:
  RobertaProcessing(std::pair<std::string, int32_t> sep, std::pair<std::string, int32_t> cls, bool trim_offsets,
                    bool add_prefix_space)
      : sep_(std::move(sep)), cls_(std::move(cls)), trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 4 : 2; }
  void process_encodings(std::vector<Encoding>& encs, bool add_special_tokens,
                         const SourceTexts& texts) const override {
    if (trim_offsets_)
      for (Encoding& e : encs) trim_byte_level_offsets(e, add_prefix_space_, texts);
    for (Encoding& e : encs) e.type_ids.assign(e.size(), 0);  // RoBERTa uses no token types
    if (!add_special_tokens) return;
    std::vector<Encoding> out;
    for (size_t i = 0; i < encs.size(); ++i) {
      Encoding r;
      append_encoding(r, i == 0 ? special_encoding({cls_.second}, {cls_.first}, 0)
                                : special_encoding({sep_.second}, {sep_.first}, 0));
      append_encoding(r, encs[i]);
      append_encoding(r, special_encoding({sep_.second}, {sep_.first}, 0));
      out.push_back(std::move(r));
    }
    encs = std::move(out);
  }

 private:
  std::pair<std::string, int32_t> sep_, cls_;
  bool trim_offsets_, add_prefix_space_;
};

class ByteLevelProcessing : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim_offsets, bool add_prefix_space)
      : trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  void process_encodings(std::vector<Encoding>& encs, bool, const SourceTexts& texts) const override {
    if (!trim_offsets_) return;
    for (Encoding& e : encs) trim_byte_level_offsets(e, add_prefix_space_, texts);
  }

 private:
  bool trim_offsets_, add_prefix_space_;
};

class SequenceProcessing : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> items) : items_(std::move(items)) {}
  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : items_) n += p->added_tokens(is_pair);
    return n;
  }
  void process_encodings(std::vector<Encoding>& encs, bool add_special_tokens,
                         const SourceTexts& texts) const override {
    for (const auto& p : items_) p->process_encodings(encs, add_special_tokens, texts);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> items_;
};

std::pair<std::string, int32_t> read_token_pair(const json& j, std::string_view key, const JsonPath& at) {
  const json& v = json_require(j, key, at);
  JsonPath p = at.field(key);
  if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number_integer())
    json_fail(p, "must be [\"token\", id]");
  return {v[0].get<std::string>(), static_cast<int32_t>(v[1].get<int64_t>())};
}

std::vector<TemplateProcessing::Piece> read_template(const json& j, std::string_view key, const JsonPath& at) {
  std::vector<TemplateProcessing::Piece> out;
  const json* v = json_find(j, key);
  if (!v) return out;
  JsonPath p = at.field(key);
  if (!v->is_array()) json_fail(p, "must be an array of template pieces");
  for (size_t i = 0; i < v->size(); ++i) {
    const json& piece = (*v)[i];
    JsonPath pp = p.index(i);
    if (piece.is_string()) {
      // String form: "$A", "$B:1", "[CLS]", "[SEP]:1".
      std::string s = piece.get<std::string>();
      int32_t type_id = 0;
      auto colon = s.rfind(':');
      if (colon != std::string::npos && colon + 1 < s.size() &&
          s.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        type_id = std::stoi(s.substr(colon + 1));
        s = s.substr(0, colon);
      }
      if (!s.empty() && s[0] == '$') {
        std::string id = s.substr(1);
        if (id.empty() || id == "A" || id == "a") out.push_back({true, 0, "", type_id});
        else if (id == "B" || id == "b") out.push_back({true, 1, "", type_id});
        else if (id.find_first_not_of("0123456789") == std::string::npos) out.push_back({true, 0, "", std::stoi(id)});
        else json_fail(pp, "\"{}\" is not a valid sequence piece", piece.get<std::string>());
      } else {
        out.push_back({false, 0, s, type_id});
      }
      continue;
    }
    json_require_object(piece, pp);
    if (const json* seq = json_find(piece, "Sequence")) {
      JsonPath sp = pp.field("Sequence");
      std::string id = json_string(*seq, "id", sp);
      if (id != "A" && id != "B") json_fail(sp.field("id"), "must be \"A\" or \"B\", got \"{}\"", id);
      out.push_back({true, id == "A" ? 0 : 1, "", static_cast<int32_t>(json_int(*seq, "type_id", sp, 0))});
    } else if (const json* sp_tok = json_find(piece, "SpecialToken")) {
      JsonPath sp = pp.field("SpecialToken");
      out.push_back({false, 0, json_string(*sp_tok, "id", sp), static_cast<int32_t>(json_int(*sp_tok, "type_id", sp, 0))});
    } else {
      json_fail(pp, "must be {{\"Sequence\": ...}} or {{\"SpecialToken\": ...}}");
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const json& j, const JsonPath& at) {
  if (j.is_null()) return nullptr;
  std::string type = json_type(j, at);
  if (type == "TemplateProcessing") {
    std::map<std::string, SpecialToken> specials;
    if (const json* st = json_find(j, "special_tokens")) {
      JsonPath sp = at.field("special_tokens");
      if (!st->is_object()) json_fail(sp, "must be an object");
      for (auto it = st->begin(); it != st->end(); ++it) {
        JsonPath tp = sp.field(it.key());
        json_require_object(it.value(), tp);
        SpecialToken t;
        const json& ids = json_require(it.value(), "ids", tp);
        const json& toks = json_require(it.value(), "tokens", tp);
        if (!ids.is_array() || !toks.is_array()) json_fail(tp, "ids and tokens must be arrays");
        for (const auto& id : ids) {
          if (!id.is_number_integer()) json_fail(tp.field("ids"), "must hold integers");
          t.ids.push_back(static_cast<int32_t>(id.get<int64_t>()));
        }
        for (const auto& tok : toks) {
          if (!tok.is_string()) json_fail(tp.field("tokens"), "must hold strings");
          t.tokens.push_back(tok.get<std::string>());
        }
        if (t.ids.size() != t.tokens.size()) json_fail(tp, "ids and tokens must have the same length");
        std::string id = json_string(it.value(), "id", tp, it.key());
        specials[id] = std::move(t);
      }
    }
    auto single = read_template(j, "single", at);
    auto pair = read_template(j, "pair", at);
    for (const auto* tmpl : {&single, &pair}) {
      for (const auto& p : *tmpl)
        if (!p.is_sequence && !specials.count(p.special))
          json_fail(at.field("special_tokens"), "is missing the template's special token \"{}\"", p.special);
    }
    return std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
  }
  if (type == "BertProcessing")
    return std::make_unique<BertProcessing>(read_token_pair(j, "sep", at), read_token_pair(j, "cls", at));
  if (type == "RobertaProcessing")
    return std::make_unique<RobertaProcessing>(read_token_pair(j, "sep", at), read_token_pair(j, "cls", at),
                                               json_bool(j, "trim_offsets", at, true),
                                               json_bool(j, "add_prefix_space", at, true));
  if (type == "ByteLevel")
    return std::make_unique<ByteLevelProcessing>(json_bool(j, "trim_offsets", at, true),
                                                 json_bool(j, "add_prefix_space", at, true));
  if (type == "Sequence") {
    const json& list = json_require(j, "processors", at);
    JsonPath lp = at.field("processors");
    if (!list.is_array()) json_fail(lp, "must be an array");
    std::vector<std::unique_ptr<PostProcessor>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto p = make_post_processor(list[i], lp.index(i));
      if (p) items.push_back(std::move(p));
    }
    return std::make_unique<SequenceProcessing>(std::move(items));
  }
  json_fail(at.field("type"), "\"{}\" is not supported", type);
}

}  // namespace ragrt::text
