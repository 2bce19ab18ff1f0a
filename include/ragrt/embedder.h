#pragma once
// Text embeddings for dense retrieval and MMR: what the config's `embedder:` selects. Types are
// registered in Registry<Embedder> (register_builtin_components):
//
//   embedder: {type: onnx, model: models/all-MiniLM-L6-v2}           # local ONNX encoder (the default type)
//   embedder: {type: openai, base_url: http://tei:8080/v1, model: bge-m3}   # any OpenAI-compatible
//                                                                    # /embeddings server (TEI, vLLM, OpenAI, ragrt)
//
// Every type also takes query_prefix / document_prefix; the knowledge base applies them, so an
// application's type never sees them. Switching types changes the vectors: `ragrt index` notices
// and re-embeds every document.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt {

class Embedder {
 public:
  virtual ~Embedder() = default;
  // One vector per text, in order. Thread-safe. Throws ragrt::Error: kInvalidArgument for invalid
  // UTF-8, kIo / kRuntime when the model or the server fails.
  virtual std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) const = 0;
  std::vector<float> embed(std::string_view text) const { return embed(std::vector<std::string>{std::string(text)})[0]; }
  // Vector length; 0 while unknown (a remote embedder learns it from its first answer).
  virtual size_t dimension() const = 0;
  // For logs and traces: "onnx models/all-MiniLM-L6-v2", "openai bge-m3 at http://…".
  virtual std::string description() const = 0;
};

}  // namespace ragrt
