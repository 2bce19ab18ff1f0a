#pragma once
// Where a remote model server is and how to talk to it: what the `openai` embedder and the
// `cohere` / `tei` rerankers share. Their config sections take these keys:
//   base_url: http://tei:8080/v1   api_key_env: TEI_KEY   timeout_s: 30   max_retries: 2
#include <string>

namespace ragrt {

struct RemoteEndpoint {
  // The API root the routes are appended to ("/embeddings", "/rerank"): "http://localhost:8080/v1".
  // http or https only; no user:password@, query or fragment.
  std::string base_url;
  // Name of the environment variable holding the API key, sent as "Authorization: Bearer <key>";
  // read once, when the client is made. "" = no authentication. The key is never logged.
  std::string api_key_env;
  double timeout_s = 30;  // one attempt, connection to last byte
  // Further attempts after a connection failure, a timeout, HTTP 408, 429 or 5xx (0 = try once).
  int max_retries = 2;
  // Seconds before the first retry, doubled for each further one; a Retry-After of up to 60 s wins.
  double retry_backoff_s = 0.5;
};

}  // namespace ragrt
