#include "text/model.h"

#include "text/json_fields.h"

namespace ragrt::text {

std::unique_ptr<Model> make_model(const nlohmann::json& model, const std::string& where) {
  JsonPath at{where, "model"};
  json_require_object(model, at);
  std::string type;
  if (const auto* t = json_find(model, "type")) {
    if (!t->is_string()) json_fail(at.field("type"), "must be a string");
    type = t->get<std::string>();
  } else {
    // tokenizers tries the untagged variants in order: BPE (needs merges), WordPiece and
    // WordLevel (a vocab object), Unigram (a vocab list).
    const auto* vocab = json_find(model, "vocab");
    if (json_find(model, "merges")) type = "BPE";
    else if (vocab && vocab->is_array()) type = "Unigram";
    else if (vocab && vocab->is_object()) type = "WordPiece";
    else json_fail(at, "has no \"type\" and its fields match no known model");
  }
  if (type == "WordPiece") return make_wordpiece_model(model, where);
  if (type == "WordLevel") return make_wordlevel_model(model, where);
  if (type == "BPE") return make_bpe_model(model, where);
  if (type == "Unigram") return make_unigram_model(model, where);
  json_fail(at.field("type"), "\"{}\" is not supported", type);
}

}  // namespace ragrt::text
