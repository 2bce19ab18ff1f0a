#include "text/bpe_model.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <queue>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"

namespace ragrt::text {
namespace {

constexpr auto kInvalidModel = ErrorKind::kInvalidModel;

// Byte length of the UTF-8 sequence starting with `lead`; 1 for stray bytes so that malformed
// input still advances.
size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

uint64_t hash_bytes(std::string_view s) { return std::hash<std::string_view>{}(s); }

// Hugging Face formats byte-fallback tokens as `<{b:#04X}>`: "<0x0A>".
std::string byte_token(unsigned char b) { return fmt::format("<0x{:02X}>", b); }

std::optional<std::string> optional_string(const nlohmann::json& model, const char* field,
                                           const std::string& where) {
  auto it = model.find(field);
  if (it == model.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.{} must be a string or null, got {}", where, field,
                     it->type_name());
  return it->get<std::string>();
}

bool optional_bool(const nlohmann::json& model, const char* field, const std::string& where) {
  auto it = model.find(field);
  if (it == model.end() || it->is_null()) return false;
  if (!it->is_boolean())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.{} must be true or false, got {}", where, field,
                     it->type_name());
  return it->get<bool>();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Tables

bool BpeModel::TokenTable::build(const char* base,
                                 const std::vector<std::pair<std::string_view, int32_t>>& entries) {
  base_ = base;
  size_t capacity = 16;
  while (capacity * 3 < entries.size() * 5) capacity *= 2;  // load factor <= 0.6
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  size_ = 0;
  bool unique = true;
  for (const auto& [key, id] : entries) {
    const uint64_t h = hash_bytes(key);
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = Slot{tag, id, static_cast<uint32_t>(key.data() - base), static_cast<uint32_t>(key.size())};
        ++size_;
        break;
      }
      if (slot.hash == tag && key_of(slot) == key) {  // a repeated key keeps the last id, like serde
        slot.id = id;
        unique = false;
        break;
      }
    }
  }
  return unique;
}

std::optional<int32_t> BpeModel::TokenTable::find(std::string_view key) const {
  if (slots_.empty()) return std::nullopt;
  const uint64_t h = hash_bytes(key);
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id < 0) return std::nullopt;
    if (slot.hash == tag && key_of(slot) == key) return slot.id;
  }
}

void BpeModel::MergeTable::reserve(size_t n) {
  size_t capacity = 16;
  while (capacity * 3 < n * 5) capacity *= 2;  // load factor <= 0.6
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  size_ = 0;
}

void BpeModel::MergeTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  reserve(std::max<size_t>(16, old.size()));
  for (const Slot& s : old)
    if (s.key != kEmpty)
      insert_or_assign(static_cast<int32_t>(s.key >> 32), static_cast<int32_t>(s.key & 0xFFFFFFFF),
                       s.rank, s.merged);
}

void BpeModel::MergeTable::insert_or_assign(int32_t left, int32_t right, uint32_t rank,
                                            int32_t merged) {
  if (slots_.empty() || (size_ + 1) * 5 > slots_.size() * 3) grow();
  const uint64_t key = key_of(left, right);
  for (size_t i = slot_of(key, mask_);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.key == kEmpty) {
      slot = Slot{key, rank, merged};
      ++size_;
      return;
    }
    if (slot.key == key) {  // a repeated merge takes the later rank, as HF's HashMap collect does
      slot.rank = rank;
      slot.merged = merged;
      return;
    }
  }
}

bool BpeModel::MergeTable::find(int32_t left, int32_t right, uint32_t& rank,
                                int32_t& merged) const {
  const uint64_t key = key_of(left, right);
  for (size_t i = slot_of(key, mask_);; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.key == kEmpty) return false;
    if (slot.key == key) {
      rank = slot.rank;
      merged = slot.merged;
      return true;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Construction

BpeModel::BpeModel(std::span<const std::pair<std::string_view, int32_t>> vocab,
                   std::span<const std::pair<std::string_view, std::string_view>> merges,
                   BpeOptions options, const std::string& where)
    : options_(std::move(options)), where_(where) {
  if (options_.dropout) {
    float p = *options_.dropout;
    if (!(p >= 0.0f && p <= 1.0f))
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.dropout must be between 0 and 1, got {}", where, p);
    if (p == 1.0f) {
      skip_merges_ = true;
    } else if (p > 0.0f) {
      spdlog::warn(
          "{}: BPE dropout {} is random in Hugging Face tokenizers and cannot be reproduced; "
          "tokenizing without dropout",
          where, p);
    }
  }

  size_t total = 0;
  int32_t max_id = -1;
  for (const auto& [token, id] : vocab) {
    total += token.size();
    max_id = std::max(max_id, id);
  }
  arena_.reserve(total);
  std::vector<std::pair<std::string_view, int32_t>> entries;
  entries.reserve(vocab.size());
  for (const auto& [token, id] : vocab) {
    // reserve() above guarantees appends never reallocate, so earlier views stay valid.
    entries.emplace_back(std::string_view(arena_.data() + arena_.size(), token.size()), id);
    arena_ += token;
  }
  if (total > std::numeric_limits<uint32_t>::max())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab is too large", where);
  const bool unique = vocab_.build(arena_.data(), entries);
  vocab_size_ = vocab_.size();

  // Reverse table: dense when ids are (nearly) contiguous, which they are in every real model.
  auto live = [&](std::string_view key, int32_t id) { return unique || vocab_.find(key) == id; };
  if (max_id >= 0 && static_cast<size_t>(max_id) < 2 * entries.size() + 1024) {
    dense_tokens_.assign(static_cast<size_t>(max_id) + 1, std::string_view());
    for (const auto& [key, id] : entries)
      if (live(key, id)) dense_tokens_[static_cast<size_t>(id)] = key;
  } else {
    for (const auto& [key, id] : entries)
      if (live(key, id)) sparse_tokens_[id] = key;
  }

  short_char_ids_.assign(0x800, -1);
  for (uint32_t cp = 0; cp < 0x800; ++cp) {
    char buf[2];
    const size_t len = cp < 0x80 ? 1 : 2;
    if (len == 1) {
      buf[0] = static_cast<char>(cp);
    } else {
      buf[0] = static_cast<char>(0xC0 | (cp >> 6));
      buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    short_char_ids_[cp] = vocab_.find(std::string_view(buf, len)).value_or(-1);
  }

  if (options_.unk_token) unk_id_ = vocab_.find(*options_.unk_token);
  for (int b = 0; b < 256; ++b)
    byte_ids_[b] = vocab_.find(byte_token(static_cast<unsigned char>(b))).value_or(-1);

  const size_t prefix_len =
      options_.continuing_subword_prefix ? options_.continuing_subword_prefix->size() : 0;
  merges_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    auto left_id = vocab_.find(left);
    if (!left_id)
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.merges[{}]: token '{}' is not in model.vocab",
                       where, rank, left);
    auto right_id = vocab_.find(right);
    if (!right_id)
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.merges[{}]: token '{}' is not in model.vocab",
                       where, rank, right);
    if (right.size() < prefix_len)
      RAGRT_THROW_KIND(kInvalidModel,
                       "{}: model.merges[{}]: token '{}' is shorter than "
                       "continuing_subword_prefix '{}'",
                       where, rank, right, *options_.continuing_subword_prefix);
    joined.assign(left);
    joined.append(right.substr(prefix_len));
    auto merged_id = vocab_.find(joined);
    if (!merged_id)
      RAGRT_THROW_KIND(kInvalidModel,
                       "{}: model.merges[{}]: merged token '{}' is not in model.vocab", where,
                       rank, joined);
    merges_.insert_or_assign(*left_id, *right_id, static_cast<uint32_t>(rank), *merged_id);
  }
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
  return vocab_.find(token);
}

std::string_view BpeModel::token_of(int32_t id) const {
  if (!dense_tokens_.empty()) return dense_tokens_[static_cast<size_t>(id)];
  return sparse_tokens_.at(id);
}

std::optional<std::string> BpeModel::id_to_token(int32_t id) const {
  if (id < 0) return std::nullopt;
  if (!dense_tokens_.empty()) {
    if (static_cast<size_t>(id) >= dense_tokens_.size()) return std::nullopt;
    std::string_view t = dense_tokens_[static_cast<size_t>(id)];
    if (t.data() == nullptr) return std::nullopt;
    return std::string(t);
  }
  auto it = sparse_tokens_.find(id);
  if (it == sparse_tokens_.end()) return std::nullopt;
  return std::string(it->second);
}

int32_t BpeModel::unk_id() const {
  if (!unk_id_)
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.unk_token '{}' is not in model.vocab", where_,
                     *options_.unk_token);
  return *unk_id_;
}

// ---------------------------------------------------------------------------------------------
// Tokenization

std::vector<Token> BpeModel::tokenize(std::string_view piece) const {
  std::vector<Token> tokens;
  if (piece.empty()) return tokens;
  if (skip_merges_) {
    append_tokens(merge_word(piece), piece.size(), tokens);
    return tokens;
  }
  if (options_.ignore_merges) {
    if (auto id = vocab_.find(piece)) {
      tokens.push_back(Token{*id, std::string(piece), 0, piece.size()});
      return tokens;
    }
  }
  const size_t hash = WordCache<Segmentation>::hash_of(piece);
  const bool hit = cache_.visit(piece, hash, [&](const Segmentation& cached) {
    append_tokens(cached, piece.size(), tokens);
  });
  if (!hit) {
    Segmentation segmentation = merge_word(piece);
    append_tokens(segmentation, piece.size(), tokens);
    cache_.put(piece, hash, std::move(segmentation));
  }
  return tokens;
}

void BpeModel::append_tokens(const Segmentation& segmentation, size_t piece_size,
                             std::vector<Token>& out) const {
  out.reserve(out.size() + segmentation.size());
  size_t pos = 0;
  for (const Piece& p : segmentation) {
    // Offsets accumulate symbol lengths exactly as HF's Word::get_offsets_iter does. They can only
    // run past the piece in the degenerate byte_fallback + continuing_subword_prefix combination,
    // where HF counts the prefix bytes too; clamp so callers never index out of the piece.
    size_t begin = std::min(pos, piece_size);
    pos += p.len;
    size_t end = std::min(pos, piece_size);
    out.push_back(Token{p.id, std::string(token_of(p.id)), begin, end});
  }
}

BpeModel::Segmentation BpeModel::merge_word(std::string_view word) const {
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  auto add = [&symbols](int32_t id, size_t len) {
    int32_t n = static_cast<int32_t>(symbols.size());
    if (n > 0) symbols.back().next = n;
    symbols.push_back(Symbol{id, n - 1, -1, static_cast<uint32_t>(len)});
  };

  const bool decorate = options_.continuing_subword_prefix || options_.end_of_word_suffix;
  std::string decorated;
  std::optional<std::pair<int32_t, size_t>> pending_unk;  // (id, byte length)

  for (size_t i = 0; i < word.size();) {
    const size_t char_len = std::min(utf8_length(static_cast<unsigned char>(word[i])), word.size() - i);
    const bool is_first = i == 0;
    const bool is_last = i + char_len >= word.size();
    std::string_view s = word.substr(i, char_len);
    if (decorate) {
      decorated.clear();
      if (!is_first && options_.continuing_subword_prefix) decorated += *options_.continuing_subword_prefix;
      decorated += s;
      if (is_last && options_.end_of_word_suffix) decorated += *options_.end_of_word_suffix;
      s = decorated;
    }
    i += char_len;

    std::optional<int32_t> id;
    if (!decorate && char_len <= 2) {
      const auto b0 = static_cast<unsigned char>(s[0]);
      const uint32_t cp = char_len == 1 ? b0 : ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[1]) & 0x3Fu);
      // A stray byte (invalid UTF-8, length 1) >= 0x80 is not a code point; look it up by bytes.
      if (char_len == 2 || b0 < 0x80) {
        if (short_char_ids_[cp] >= 0) id = short_char_ids_[cp];
      } else {
        id = vocab_.find(s);
      }
    } else {
      id = vocab_.find(s);
    }
    if (id) {
      if (pending_unk) {
        add(pending_unk->first, pending_unk->second);
        pending_unk.reset();
      }
      add(*id, char_len);
      continue;
    }
    if (options_.byte_fallback) {
      bool all_bytes = std::all_of(s.begin(), s.end(), [this](char c) {
        return byte_ids_[static_cast<unsigned char>(c)] >= 0;
      });
      if (all_bytes) {
        // HF adds the byte tokens without flushing a pending unknown first; keep that order.
        for (char c : s) add(byte_ids_[static_cast<unsigned char>(c)], 1);
        continue;
      }
    }
    if (options_.unk_token) {
      if (pending_unk && options_.fuse_unk) {
        pending_unk->second += char_len;
      } else {
        if (pending_unk) add(pending_unk->first, pending_unk->second);
        pending_unk.emplace(unk_id(), char_len);
      }
    }
    // Without an unk_token the character is dropped, as in HF.
  }
  if (pending_unk) add(pending_unk->first, pending_unk->second);

  if (!skip_merges_) merge_all(symbols);

  Segmentation out;
  out.reserve(symbols.size());
  for (const Symbol& s : symbols)
    if (s.len != 0) out.push_back(Piece{s.id, s.len});
  return out;
}

// HF's Word::merge_all: a min-heap of candidate merges ordered by (rank, position); entries made
// stale by earlier merges are skipped when popped. HF detects staleness by looking the pair up
// again and comparing the merged id; comparing the pair's ids with those it was queued with is
// equivalent (a symbol only changes by growing, so a changed pair never merges into the same
// token) and saves a hash lookup per merge.
void BpeModel::merge_all(std::vector<Symbol>& symbols) const {
  struct Candidate {
    uint32_t rank;
    int32_t pos;
    int32_t left;
    int32_t right;
    int32_t merged;
  };
  struct Later {
    bool operator()(const Candidate& a, const Candidate& b) const {
      return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
    }
  };
  if (symbols.size() < 2) return;
  std::vector<Candidate> storage;
  storage.reserve(symbols.size() * 2);
  std::priority_queue<Candidate, std::vector<Candidate>, Later> queue(Later{}, std::move(storage));

  uint32_t rank;
  int32_t merged;
  for (size_t i = 0; i + 1 < symbols.size(); ++i) merges_.prefetch(symbols[i].id, symbols[i + 1].id);
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (merges_.find(symbols[i].id, symbols[i + 1].id, rank, merged))
      queue.push(Candidate{rank, static_cast<int32_t>(i), symbols[i].id, symbols[i + 1].id, merged});

  const int32_t n = static_cast<int32_t>(symbols.size());
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& current = symbols[top.pos];
    if (current.len == 0 || current.next == -1) continue;
    const int32_t next_pos = current.next;
    const Symbol right = symbols[next_pos];
    if (current.id != top.left || right.id != top.right) continue;  // stale

    current.id = top.merged;
    current.len += right.len;
    current.next = right.next;
    symbols[next_pos].len = 0;
    if (right.next > -1 && right.next < n) symbols[right.next].prev = top.pos;

    if (current.prev >= 0) merges_.prefetch(symbols[current.prev].id, current.id);
    if (current.next > -1 && current.next < n) merges_.prefetch(current.id, symbols[current.next].id);
    if (current.prev >= 0) {
      const int32_t left_id = symbols[current.prev].id;
      if (merges_.find(left_id, current.id, rank, merged))
        queue.push(Candidate{rank, current.prev, left_id, current.id, merged});
    }
    if (current.next > -1 && current.next < n) {
      const int32_t right_id = symbols[current.next].id;
      if (merges_.find(current.id, right_id, rank, merged))
        queue.push(Candidate{rank, top.pos, current.id, right_id, merged});
    }
  }
}

// ---------------------------------------------------------------------------------------------
// tokenizer.json

std::unique_ptr<Model> make_bpe_model(const nlohmann::json& model, const std::string& where) {
  if (!model.is_object())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model must be an object, got {}", where, model.type_name());
  if (auto type = model.find("type"); type != model.end() && *type != "BPE")
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.type is {}, expected \"BPE\"", where, type->dump());

  auto vocab_it = model.find("vocab");
  if (vocab_it == model.end())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab is missing (a BPE model needs vocab and merges)", where);
  if (!vocab_it->is_object())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab must be an object of token -> id, got {}",
                     where, vocab_it->type_name());
  // Views into `model`, which outlives the constructor: nothing is copied twice.
  std::vector<std::pair<std::string_view, int32_t>> vocab;
  vocab.reserve(vocab_it->size());
  for (auto it = vocab_it->begin(); it != vocab_it->end(); ++it) {
    const nlohmann::json& id = it.value();
    if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
        id.get<int64_t>() > std::numeric_limits<int32_t>::max())
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.vocab[\"{}\"] must be a non-negative integer id, got {}",
                       where, it.key(), id.dump());
    vocab.emplace_back(it.key(), static_cast<int32_t>(id.get<int64_t>()));
  }

  auto merges_it = model.find("merges");
  if (merges_it == model.end())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.merges is missing (a BPE model needs vocab and merges)", where);
  if (!merges_it->is_array())
    RAGRT_THROW_KIND(kInvalidModel, "{}: model.merges must be an array, got {}", where,
                     merges_it->type_name());
  std::vector<std::pair<std::string_view, std::string_view>> merges;
  merges.reserve(merges_it->size());
  // Two formats: ["a", "b"] pairs (tokenizers >= 0.20) or legacy "a b" strings. As in HF a list
  // must use one format throughout; legacy lists may carry "#version" lines.
  const bool legacy = !merges_it->empty() && merges_it->front().is_string();
  size_t index = 0;
  for (const auto& m : *merges_it) {
    if (legacy) {
      if (!m.is_string())
        RAGRT_THROW_KIND(kInvalidModel, "{}: model.merges[{}] must be a \"left right\" string like the others, got {}",
                         where, index, m.dump());
      std::string_view line = m.get_ref<const std::string&>();
      if (line.substr(0, 8) == "#version") {
        ++index;
        continue;
      }
      size_t space = line.find(' ');
      if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos)
        RAGRT_THROW_KIND(kInvalidModel,
                         "{}: model.merges[{}] = \"{}\" must be two tokens separated by one space",
                         where, index, line);
      merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    } else {
      if (!m.is_array() || m.size() != 2 || !m[0].is_string() || !m[1].is_string())
        RAGRT_THROW_KIND(kInvalidModel,
                         "{}: model.merges[{}] must be a pair of strings [\"left\", \"right\"], got {}",
                         where, index, m.dump());
      merges.emplace_back(m[0].get_ref<const std::string&>(), m[1].get_ref<const std::string&>());
    }
    ++index;
  }

  BpeOptions options;
  options.unk_token = optional_string(model, "unk_token", where);
  options.continuing_subword_prefix = optional_string(model, "continuing_subword_prefix", where);
  options.end_of_word_suffix = optional_string(model, "end_of_word_suffix", where);
  options.fuse_unk = optional_bool(model, "fuse_unk", where);
  options.byte_fallback = optional_bool(model, "byte_fallback", where);
  options.ignore_merges = optional_bool(model, "ignore_merges", where);
  if (auto d = model.find("dropout"); d != model.end() && !d->is_null()) {
    if (!d->is_number())
      RAGRT_THROW_KIND(kInvalidModel, "{}: model.dropout must be a number or null, got {}", where,
                       d->type_name());
    options.dropout = d->get<float>();
  }
  return std::make_unique<BpeModel>(vocab, merges, std::move(options), where);
}

}  // namespace ragrt::text
