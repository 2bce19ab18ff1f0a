#pragma once
// Options shared by the components that run a text encoder over batches of tokenized inputs
// (Embedder, Reranker).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "ragrt/runtime/session_params.h"

namespace ragrt {

// Merges the requests of concurrent callers into shared ONNX Runtime runs: one worker gathers
// requests until `max_texts` texts are waiting or `max_wait` has passed since the oldest arrived,
// then runs them together (sorted by length, in batches of EncoderOptions::batch_size). Callers
// tokenize in their own threads and block until their own results are ready. A request is never
// split across two gatherings, so one larger than max_texts runs on its own.
struct DynamicBatching {
  bool enabled = false;
  size_t max_texts = 128;
  std::chrono::microseconds max_wait{2000};
};

struct EncoderOptions {
  runtime::SessionParams session;
  // Texts per ONNX Runtime run. Inputs are sorted by token count first and each batch is padded to
  // its own longest input, so little compute goes to padding.
  size_t batch_size = 32;
  // When non-zero, a batch also stops growing before rows x padded length would exceed this many
  // tokens, so long inputs run in smaller batches and memory stays bounded; batch_size still caps
  // the rows. The default keeps a batch's activations (the FFN intermediate is tokens x 4 x hidden
  // floats) within a CPU's last-level cache: on 2 EPYC cores with a MiniLM-L6-shaped model, 1024
  // embedded 10-15% more texts per second than no limit (bench/run embed). On a GPU, raise it or
  // set 0.
  size_t max_batch_tokens = 1024;
  // Replaces the limit read from the folder (ModelFolder::max_sequence_length), still capped by
  // the model's position table. Longer inputs are truncated as the tokenizer's truncation
  // strategy says (longest-first for pairs, from the right by default).
  std::optional<size_t> max_length;
  DynamicBatching dynamic_batching;
  // ONNX file inside the folder; empty picks onnx/model.onnx, then model.onnx.
  std::string onnx_file;
};

}  // namespace ragrt
