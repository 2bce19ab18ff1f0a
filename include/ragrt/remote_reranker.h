#pragma once
// Rerankers on a model server: `cohere` speaks the rerank API of Cohere, Jina, vLLM and ragrt
// (POST {base_url}/rerank {model, query, documents} -> {results: [{index, relevance_score}]}),
// `tei` the one of Text Embeddings Inference (POST {base_url}/rerank {query, texts} ->
// [{index, score}]).
#include <cstddef>
#include <memory>
#include <string>

#include "ragrt/remote_endpoint.h"
#include "ragrt/reranker.h"

namespace ragrt {

enum class RerankApi { kCohere, kTei };

struct RemoteRerankerParams {
  RerankApi api = RerankApi::kCohere;
  RemoteEndpoint endpoint;
  std::string model;       // sent as "model" (cohere); "" leaves it out
  size_t batch_size = 32;  // passages per request (TEI refuses more than 32 by default)
};

// Checks the parameters and reads the API key; sends nothing until the first score(). Throws
// ragrt::Error (kInvalidArgument) naming what to fix.
std::unique_ptr<Reranker> make_remote_reranker(const RemoteRerankerParams& params);

}  // namespace ragrt
