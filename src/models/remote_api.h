#pragma once
// JSON over HTTP to a model server (remote embedders and rerankers): one POST with retries on
// transient failures, and errors that say which server, what it answered and what to check. The
// OpenAI generator streams and keeps its own transport, but shares the URL check and the quoting.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ragrt/remote_endpoint.h"

namespace ragrt::models {

class RemoteApi {
 public:
  // `what` names the component in messages ("embedder", "reranker"). Checks base_url and reads the
  // API key; throws ragrt::Error (kInvalidArgument) naming what to fix.
  RemoteApi(std::string what, RemoteEndpoint endpoint);

  // POSTs `body` to base_url + route and returns the parsed answer. Throws ragrt::Error: kIo when
  // the server cannot be reached or keeps failing, kInvalidArgument when it rejects the request
  // (4xx), kRuntime when the answer is not JSON.
  nlohmann::json post(const std::string& route, const nlohmann::json& body) const;

  std::string url(const std::string& route) const;
  const RemoteEndpoint& endpoint() const { return endpoint_; }

 private:
  std::string what_;
  RemoteEndpoint endpoint_;
  std::string api_key_;
};

// Throws ragrt::Error (kInvalidArgument) unless `base_url` is an http(s) URL without credentials,
// query or fragment.
void check_base_url(const std::string& base_url);
// Server text quoted in our messages: without `secret` (servers sometimes echo the key they
// rejected), valid UTF-8, bounded, one line.
std::string quote(std::string_view s, const std::string& secret);
// The message of an OpenAI-style error body ({"error": {"message": …}}, {"error": "…"}, FastAPI's
// {"detail": …}, or {"message": …}); the raw body, quoted, when it is none of these.
std::string server_message(std::string_view body, const std::string& secret);

}  // namespace ragrt::models
