#pragma once
// Token vectors -> one sentence vector, with the attention mask deciding which tokens count
// (sentence-transformers' Pooling and Normalize modules).
#include <cstddef>
#include <cstdint>
#include <span>

#include "ragrt/onnx_embedder.h"

namespace ragrt::models {

// `hidden` holds seq rows of `out.size()` floats for one input; `mask` its seq attention mask
// entries. Writes the pooled vector into `out`. An input whose mask keeps no token pools to zeros
// (sentence-transformers clamps the divisor the same way).
void pool(Pooling pooling, std::span<const float> hidden, std::span<const int64_t> mask, std::span<float> out);

// x / max(||x||_2, 1e-12), as torch.nn.functional.normalize.
void l2_normalize(std::span<float> v);

}  // namespace ragrt::models
