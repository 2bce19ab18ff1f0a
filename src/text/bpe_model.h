#pragma once
// Byte-pair-encoding model, mirroring tokenizers/src/models/bpe in Hugging Face's Rust crate:
// a word is split into characters, then adjacent pairs are merged lowest merge-rank first until
// no known pair remains.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/model.h"
#include "text/word_cache.h"

namespace ragrt::text {

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
  // Hugging Face draws random numbers for 0 < dropout < 1; we cannot reproduce that and apply
  // none (with a warning). dropout == 1 skips every merge, which is deterministic.
  std::optional<float> dropout;
};

class BpeModel final : public Model {
 public:
  // `vocab` maps token -> id (a repeated token keeps its last id); `merges` are token pairs,
  // rank = index. The views need only outlive the constructor. Throws ragrt::Error (naming
  // `where`) when a merge or its result is not in the vocabulary.
  BpeModel(std::span<const std::pair<std::string_view, int32_t>> vocab,
           std::span<const std::pair<std::string_view, std::string_view>> merges,
           BpeOptions options, const std::string& where);
  // Words remembered with their segmentation. Hugging Face keeps 10,000; a few more cover the
  // vocabulary of a typical corpus at a few megabytes.
  static constexpr size_t kCacheCapacity = 10000;

  BpeModel(const BpeModel&) = delete;
  BpeModel& operator=(const BpeModel&) = delete;

  std::vector<Token> tokenize(std::string_view piece) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;
  size_t vocab_size() const override { return vocab_size_; }

  const BpeOptions& options() const { return options_; }

 private:
  // A symbol of the word being merged (Hugging Face's `Symbol`): a token id, the byte length of
  // the text it covers and links to its live neighbours.
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t len;
  };
  struct Piece {
    int32_t id;
    uint32_t len;
  };
  using Segmentation = std::vector<Piece>;

  // Open-addressing token -> id table over the strings of `arena_` (16-byte slots: half the cache
  // misses of storing string_views).
  class TokenTable {
   public:
    // Keys must be views into one buffer starting at `base` that outlives the table. Returns false
    // when a key was repeated (the later id wins).
    bool build(const char* base, const std::vector<std::pair<std::string_view, int32_t>>& entries);
    std::optional<int32_t> find(std::string_view key) const;
    size_t size() const { return size_; }

   private:
    struct Slot {
      uint32_t hash = 0;
      int32_t id = -1;  // -1: empty
      uint32_t offset = 0;
      uint32_t length = 0;
    };
    std::string_view key_of(const Slot& s) const { return {base_ + s.offset, s.length}; }
    const char* base_ = nullptr;
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
  };

  // Open-addressing (left id, right id) -> (rank, merged id) table.
  class MergeTable {
   public:
    void reserve(size_t n);
    void insert_or_assign(int32_t left, int32_t right, uint32_t rank, int32_t merged);
    // Returns false when the pair has no merge.
    bool find(int32_t left, int32_t right, uint32_t& rank, int32_t& merged) const;
    // Starts loading the pair's slot so that several lookups wait on memory together.
    void prefetch(int32_t left, int32_t right) const {
      __builtin_prefetch(&slots_[slot_of(key_of(left, right), mask_)]);
    }

   private:
    struct Slot {
      uint64_t key = kEmpty;
      uint32_t rank = 0;
      int32_t merged = 0;
    };
    static constexpr uint64_t kEmpty = ~uint64_t{0};
    static uint64_t key_of(int32_t left, int32_t right) {
      return (uint64_t{static_cast<uint32_t>(left)} << 32) | static_cast<uint32_t>(right);
    }
    static size_t slot_of(uint64_t key, size_t mask) {
      return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    }
    void grow();
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
  };

  Segmentation merge_word(std::string_view word) const;
  void merge_all(std::vector<Symbol>& symbols) const;
  void append_tokens(const Segmentation& segmentation, size_t piece_size, std::vector<Token>& out) const;
  int32_t unk_id() const;
  std::string_view token_of(int32_t id) const;

  BpeOptions options_;
  std::string where_;
  std::string arena_;  // every vocabulary string, back to back
  TokenTable vocab_;
  size_t vocab_size_ = 0;
  std::vector<std::string_view> dense_tokens_;  // id -> token when ids are dense
  std::unordered_map<int32_t, std::string_view> sparse_tokens_;
  MergeTable merges_;
  std::optional<int32_t> unk_id_;  // when unk_token is set and in the vocabulary
  std::array<int32_t, 256> byte_ids_;  // <0xXX> token ids (-1 when absent)
  // Ids of the one- and two-byte characters (code points below U+0800, which include the whole
  // byte-level alphabet), -1 when absent: most characters skip hashing.
  std::vector<int32_t> short_char_ids_;
  bool skip_merges_ = false;  // dropout == 1
  mutable WordCache<Segmentation> cache_{kCacheCapacity};
};

}  // namespace ragrt::text
