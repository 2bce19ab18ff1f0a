#include "text/wordlevel_model.h"

#include "ragrt/error.h"

namespace ragrt::text {

std::vector<Token> WordLevelModel::tokenize(std::string_view piece) const {
  if (auto id = vocab_.find(piece)) return {Token{*id, std::string(piece), 0, piece.size()}};
  if (auto id = vocab_.find(unk_)) return {Token{*id, unk_, 0, piece.size()}};
  RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "WordLevel: unk token \"{}\" is missing from the vocabulary", unk_);
}

std::unique_ptr<Model> make_wordlevel_model(const nlohmann::json& model, const std::string& where) {
  JsonPath at{where, "model"};
  VocabMap vocab = VocabMap::from_json(json_require(model, "vocab", at), at.field("vocab"));
  return std::make_unique<WordLevelModel>(std::move(vocab), json_string(model, "unk_token", at, "<unk>"));
}

}  // namespace ragrt::text
