#pragma once
// The `openai` embedder: vectors from any server with OpenAI's embeddings API (POST
// {base_url}/embeddings {model, input: [texts]} -> {data: [{index, embedding}]}): OpenAI, Text
// Embeddings Inference, vLLM, Ollama, or another ragrt. How a company with a GPU embedding service
// keeps ragrt's retrieval on it.
#include <cstddef>
#include <memory>
#include <string>

#include "ragrt/embedder.h"
#include "ragrt/remote_endpoint.h"

namespace ragrt {

struct OpenAIEmbedderParams {
  RemoteEndpoint endpoint;
  std::string model;        // sent as "model"; "" leaves it out (single-model servers)
  size_t batch_size = 32;   // texts per request: servers cap it (Text Embeddings Inference at 32 by default)
  // L2-normalize what comes back, as the onnx embedder does: dense retrieval ranks by inner product.
  bool normalize = true;
};

// Checks the parameters and reads the API key; sends nothing until the first embed(). Throws
// ragrt::Error (kInvalidArgument) naming what to fix.
std::unique_ptr<Embedder> make_openai_embedder(const OpenAIEmbedderParams& params);

}  // namespace ragrt
