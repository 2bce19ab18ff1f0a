#pragma once
// The key/value tensors of a batch of sequences, as the decoder exchanges them: per layer a key
// and a value tensor [rows, kv_heads, length, head_dim]. Sequences of different lengths share one
// length by left padding: row r's tokens fill the last length - pad(r) positions, the first pad(r)
// are zeros that the attention mask hides. Tensors are shared, never modified: a decode step
// reads them and returns new ones, so the same tensors can sit in the prefix cache and in a batch
// at once without copies. Copies happen only when the batch changes (a sequence joins or leaves).
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include <onnxruntime_cxx_api.h>

namespace ragrt::generate {

class KvCache {
 public:
  KvCache() = default;
  // Takes the present.* outputs of a run; `pads` has one entry per row.
  KvCache(std::vector<Ort::Value> tensors, std::vector<size_t> pads);

  bool empty() const { return tensors_.empty(); }
  size_t rows() const { return pads_.size(); }
  size_t length() const { return length_; }
  size_t pad(size_t row) const { return pads_[row]; }
  size_t tokens(size_t row) const { return length_ - pads_[row]; }
  size_t bytes() const;
  // For DecoderInput::past.
  std::vector<const Ort::Value*> tensors() const;
  // After a step that fed `seq` more tokens per row: the step's present.* outputs.
  void advance(std::vector<Ort::Value> present);

  // Row `row` of `cache`, keeping its first `tokens` tokens (all when npos).
  struct RowRef {
    const KvCache* cache;
    size_t row;
    size_t tokens = static_cast<size_t>(-1);
  };
  // A new cache of the given rows in order, left-padded to the longest (padding every row shares
  // is dropped). Copies, unless it is all of one cache unchanged.
  static KvCache gather(std::span<const RowRef> rows);

 private:
  std::vector<std::shared_ptr<Ort::Value>> tensors_;
  std::vector<size_t> pads_;
  size_t length_ = 0;
};

}  // namespace ragrt::generate
