#pragma once
// Relevance scores of passages for a query, for the `rerank:` stage of a retriever: what the
// config's `reranker:` selects. Types are registered in Registry<Reranker>
// (register_builtin_components):
//
//   reranker: {type: onnx, model: models/ms-marco-MiniLM-L6-v2}    # local cross-encoder (the default type)
//   reranker: {type: cohere, base_url: http://vllm:8000/v1, model: bge-reranker-v2-m3}
//                 # POST {base_url}/rerank {query, documents} -> {results: [{index, relevance_score}]}:
//                 # Cohere, Jina, vLLM and ragrt's own /v1/rerank
//   reranker: {type: tei, base_url: http://tei:8080}              # Text Embeddings Inference's /rerank
#include <string>
#include <string_view>
#include <vector>

namespace ragrt {

class Reranker {
 public:
  virtual ~Reranker() = default;
  // Scores of `query` against each passage, in passage order; larger is more relevant. Thread-safe.
  // Throws ragrt::Error when the model or the server fails.
  virtual std::vector<float> score(std::string_view query, const std::vector<std::string>& passages) const = 0;
  // For logs and traces: "onnx models/ms-marco-MiniLM-L6-v2", "cohere bge-reranker at http://…".
  virtual std::string description() const = 0;
};

}  // namespace ragrt
