#include "text/wordpiece_model.h"

#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::text {

WordPieceModel::WordPieceModel(VocabMap vocab, std::string unk, std::string prefix, size_t max_chars)
    : vocab_(std::move(vocab)), unk_(std::move(unk)), prefix_(std::move(prefix)), max_chars_(max_chars) {}

std::vector<Token> WordPieceModel::unk_for(std::string_view piece) const {
  auto id = vocab_.find(unk_);
  if (!id) RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "WordPiece: unk token \"{}\" is missing from the vocabulary", unk_);
  return {Token{*id, unk_, 0, piece.size()}};
}

std::vector<Token> WordPieceModel::tokenize(std::string_view piece) const {
  if (count_chars(piece) > max_chars_) return unk_for(piece);
  std::vector<Token> out;
  thread_local std::string candidate;
  const size_t max_bytes = vocab_.max_token_bytes();
  size_t start = 0;
  while (start < piece.size()) {
    // No vocabulary entry is longer than max_bytes, so longer candidates need not be tried.
    size_t budget = max_bytes >= (start > 0 ? prefix_.size() : 0) ? max_bytes - (start > 0 ? prefix_.size() : 0) : 0;
    size_t end = piece.size();
    if (end - start > budget) {
      end = start + budget;
      while (end > start && (static_cast<unsigned char>(piece[end]) & 0xC0) == 0x80) --end;
    }
    bool found = false;
    while (start < end) {
      std::string_view sub = piece.substr(start, end - start);
      std::optional<int32_t> id;
      if (start > 0) {
        candidate.assign(prefix_);
        candidate.append(sub);
        id = vocab_.find(candidate);
        if (id) out.push_back(Token{*id, candidate, start, end});
      } else {
        id = vocab_.find(sub);
        if (id) out.push_back(Token{*id, std::string(sub), start, end});
      }
      if (id) {
        found = true;
        break;
      }
      end = prev_char_start(piece, end);
    }
    if (!found) return unk_for(piece);
    start = end;
  }
  return out;
}

std::unique_ptr<Model> make_wordpiece_model(const nlohmann::json& model, const std::string& where) {
  JsonPath at{where, "model"};
  VocabMap vocab = VocabMap::from_json(json_require(model, "vocab", at), at.field("vocab"));
  int64_t max_chars = json_int(model, "max_input_chars_per_word", at, 100);
  if (max_chars < 0) json_fail(at.field("max_input_chars_per_word"), "must not be negative");
  return std::make_unique<WordPieceModel>(std::move(vocab), json_string(model, "unk_token", at, "[UNK]"),
                                          json_string(model, "continuing_subword_prefix", at, "##"),
                                          static_cast<size_t>(max_chars));
}

}  // namespace ragrt::text
