#include "text/unigram_model.h"

#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "ragrt/error.h"

namespace ragrt::text {
namespace {

constexpr auto kInvalidModel = ErrorKind::kInvalidModel;
// sentencepiece's kUnkPenalty: an unknown character scores this much below the rarest piece.
constexpr double kUnkPenalty = 10.0;

size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace

UnigramModel::UnigramModel(std::vector<std::pair<std::string, double>> vocab,
                           std::optional<size_t> unk_id, bool byte_fallback,
                           const std::string& where)
    : vocab_(std::move(vocab)), unk_id_(unk_id), byte_fallback_(byte_fallback), where_(where) {
  if (unk_id_) {
    if (vocab_.empty())
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab is empty but model.unk_id is set", where);
    if (*unk_id_ >= vocab_.size())
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.unk_id {} is outside model.vocab (size {})", where,
                       *unk_id_, vocab_.size());
  }
  if (vocab_.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab is too large", where);
  min_score_ = std::numeric_limits<double>::infinity();
  for (const auto& [piece, score] : vocab_) min_score_ = std::min(min_score_, score);
  build_trie();
}

void UnigramModel::build_trie() {
  // Build with ordered child maps, then flatten breadth-first into sorted edge runs.
  struct BuildNode {
    int32_t id = -1;
    std::map<unsigned char, int32_t> children;
  };
  std::vector<BuildNode> build(1);
  for (size_t id = 0; id < vocab_.size(); ++id) {
    int32_t node = 0;
    for (char c : vocab_[id].first) {
      auto b = static_cast<unsigned char>(c);
      auto it = build[node].children.find(b);
      if (it == build[node].children.end()) {
        build.push_back({});
        it = build[node].children.emplace(b, static_cast<int32_t>(build.size() - 1)).first;
      }
      node = it->second;
    }
    build[node].id = static_cast<int32_t>(id);  // a repeated piece keeps the last id, like HF
  }
  nodes_.assign(build.size(), Node{});
  edges_.clear();
  edges_.reserve(build.size());
  for (size_t n = 0; n < build.size(); ++n) {
    nodes_[n].id = build[n].id;
    nodes_[n].first_edge = static_cast<uint32_t>(edges_.size());
    nodes_[n].edge_count = static_cast<uint32_t>(build[n].children.size());
    for (const auto& [byte, child] : build[n].children) edges_.push_back(Edge{byte, child});
  }
  root_children_.fill(-1);
  for (const auto& [byte, child] : build[0].children) root_children_[byte] = child;
}

int32_t UnigramModel::child_of(int32_t node, unsigned char byte) const {
  if (node == 0) return root_children_[byte];
  const Node& n = nodes_[node];
  const Edge* begin = edges_.data() + n.first_edge;
  const Edge* end = begin + n.edge_count;
  if (n.edge_count <= 8) {
    for (const Edge* e = begin; e != end; ++e)
      if (e->byte == byte) return e->child;
    return -1;
  }
  const Edge* e = std::lower_bound(begin, end, byte,
                                   [](const Edge& edge, unsigned char b) { return edge.byte < b; });
  return (e != end && e->byte == byte) ? e->child : -1;
}

std::optional<int32_t> UnigramModel::token_to_id(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  int32_t node = 0;
  for (char c : token) {
    node = child_of(node, static_cast<unsigned char>(c));
    if (node < 0) return std::nullopt;
  }
  if (nodes_[node].id < 0) return std::nullopt;
  return nodes_[node].id;
}

std::optional<std::string> UnigramModel::id_to_token(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= vocab_.size()) return std::nullopt;
  return vocab_[static_cast<size_t>(id)].first;
}

// HF's Unigram::encode_optimized. Candidates are relaxed in increasing start position and a later
// candidate replaces the stored one only with a strictly higher score, so ties keep the piece that
// starts earliest (the longest last piece), exactly as HF does.
std::vector<std::pair<size_t, int32_t>> UnigramModel::best_path(std::string_view piece) const {
  struct BestPathNode {
    int32_t id = 0;
    double score = 0.0;
    size_t starts_at = std::string_view::npos;  // npos: not reached yet
  };
  const size_t size = piece.size();
  const double unk_score = min_score_ - kUnkPenalty;
  std::vector<BestPathNode> ends_at(size + 1);

  auto relax = [&ends_at](size_t end, size_t start, double score, int32_t id) {
    BestPathNode& target = ends_at[end];
    if (target.starts_at == std::string_view::npos || score > target.score) {
      target.score = score;
      target.starts_at = start;
      target.id = id;
    }
  };

  for (size_t start = 0; start < size;) {
    const double score_so_far = ends_at[start].score;
    const size_t char_len =
        std::min(utf8_length(static_cast<unsigned char>(piece[start])), size - start);
    bool has_single_char_piece = false;
    int32_t node = 0;
    for (size_t pos = start; pos < size; ++pos) {
      node = child_of(node, static_cast<unsigned char>(piece[pos]));
      if (node < 0) break;
      const int32_t id = nodes_[node].id;
      if (id < 0) continue;
      const size_t length = pos + 1 - start;
      relax(pos + 1, start, vocab_[static_cast<size_t>(id)].second + score_so_far, id);
      if (length == char_len) has_single_char_piece = true;
    }
    if (!has_single_char_piece) {
      BestPathNode& target = ends_at[start + char_len];
      const double candidate = unk_score + score_so_far;
      if (target.starts_at == std::string_view::npos || candidate > target.score) {
        if (!unk_id_)
          RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                           "{}: the Unigram model has no unk_id and cannot encode {:?} (byte {} of "
                           "{:?}), which is not in its vocabulary",
                           where_, std::string(piece.substr(start, char_len)), start,
                           std::string(piece));
        relax(start + char_len, start, candidate, static_cast<int32_t>(*unk_id_));
      }
    }
    start += char_len;
  }

  std::vector<std::pair<size_t, int32_t>> path;  // built back to front
  for (size_t end = size; end > 0;) {
    const BestPathNode& node = ends_at[end];
    path.emplace_back(end - node.starts_at, node.id);
    end = node.starts_at;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<Token> UnigramModel::compute_tokens(std::string_view piece) const {
  const auto path = best_path(piece);
  std::vector<Token> tokens;
  tokens.reserve(path.size());
  const int32_t unk = unk_id_ ? static_cast<int32_t>(*unk_id_) : -1;

  auto emit = [&](size_t begin, size_t end) {
    std::string_view text = piece.substr(begin, end - begin);
    if (auto id = token_to_id(text)) {
      tokens.push_back(Token{*id, std::string(text), begin, end});
      return;
    }
    if (byte_fallback_) {
      std::vector<Token> bytes;
      bool complete = true;
      for (char c : text) {
        std::string name = fmt::format("<0x{:02X}>", static_cast<unsigned char>(c));
        auto id = token_to_id(name);
        if (!id) {
          complete = false;
          break;
        }
        // Every byte token spans the whole unknown run, as in HF.
        bytes.push_back(Token{*id, std::move(name), begin, end});
      }
      if (complete) {
        for (Token& t : bytes) tokens.push_back(std::move(t));
        return;
      }
    }
    if (unk < 0)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "{}: the Unigram model has no unk_id and cannot encode {:?}", where_,
                       std::string(text));
    // HF names the unknown token by the text it covers, not by the unk piece.
    tokens.push_back(Token{unk, std::string(text), begin, end});
  };

  // Consecutive unknown pieces are fused into one (HF sets fuse_unk for Unigram).
  size_t pos = 0;
  size_t unk_run_begin = std::string_view::npos;
  for (const auto& [length, id] : path) {
    if (unk >= 0 && id == unk) {
      if (unk_run_begin == std::string_view::npos) unk_run_begin = pos;
    } else {
      if (unk_run_begin != std::string_view::npos) {
        emit(unk_run_begin, pos);
        unk_run_begin = std::string_view::npos;
      }
      // A vocabulary piece found by the trie is its own token; no need to look it up again.
      tokens.push_back(Token{id, std::string(piece.substr(pos, length)), pos, pos + length});
    }
    pos += length;
  }
  if (unk_run_begin != std::string_view::npos) emit(unk_run_begin, pos);
  return tokens;
}

std::vector<Token> UnigramModel::tokenize(std::string_view piece) const {
  std::vector<Token> tokens;
  if (piece.empty()) return tokens;
  const size_t hash = WordCache<std::vector<Token>>::hash_of(piece);
  if (cache_.visit(piece, hash, [&](const std::vector<Token>& cached) { tokens = cached; }))
    return tokens;
  tokens = compute_tokens(piece);
  cache_.put(piece, hash, tokens);
  return tokens;
}

std::unique_ptr<Model> make_unigram_model(const nlohmann::json& model, const std::string& where) {
  if (!model.is_object())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model must be an object, got {}", where, model.type_name());
  if (auto type = model.find("type"); type != model.end() && *type != "Unigram")
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.type is {}, expected \"Unigram\"", where, type->dump());

  auto vocab_it = model.find("vocab");
  if (vocab_it == model.end())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab is missing (a Unigram model needs [piece, score] pairs)", where);
  if (!vocab_it->is_array())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab must be an array of [piece, score] pairs, got {}",
                     where, vocab_it->type_name());
  std::vector<std::pair<std::string, double>> vocab;
  vocab.reserve(vocab_it->size());
  size_t index = 0;
  for (const auto& entry : *vocab_it) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab[{}] must be a [piece, score] pair, got {}",
                       where, index, entry.dump());
    vocab.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
    ++index;
  }

  std::optional<size_t> unk_id;
  if (auto it = model.find("unk_id"); it != model.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0)
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.unk_id must be a non-negative integer or null, got {}",
                       where, it->dump());
    unk_id = it->get<size_t>();
  }
  bool byte_fallback = false;
  if (auto it = model.find("byte_fallback"); it != model.end() && !it->is_null()) {
    if (!it->is_boolean())
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.byte_fallback must be true or false, got {}",
                       where, it->dump());
    byte_fallback = it->get<bool>();
  }
  return std::make_unique<UnigramModel>(std::move(vocab), unk_id, byte_fallback, where);
}

}  // namespace ragrt::text
