#pragma once
// Errors at the HTTP edge, in OpenAI's shape, so that OpenAI clients show the message:
//   {"error": {"message": "...", "type": "invalid_request_error", "param": "messages", "code": null}}
// Route code throws HttpError; the server's exception handler turns it (and ragrt::Error, by its
// kind) into the response.
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ragrt::server {

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string type, std::string message, std::string param = "", std::string code = "")
      : std::runtime_error(std::move(message)), status_(status), type_(std::move(type)), param_(std::move(param)),
        code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& type() const { return type_; }
  const std::string& param() const { return param_; }
  const std::string& code() const { return code_; }
  nlohmann::ordered_json body() const;

 private:
  int status_;
  std::string type_, param_, code_;
};

// 400 invalid_request_error naming `param` (a field path such as messages[2].content).
template <typename... Args>
[[noreturn]] void bad_request(const std::string& param, fmt::format_string<Args...> format, Args&&... args) {
  throw HttpError(400, "invalid_request_error", fmt::format(format, std::forward<Args>(args)...), param);
}

// The HTTP status and error type for an exception escaping a route: HttpError as it says,
// ragrt::Error by its kind (kInvalidArgument 400, others 500).
HttpError to_http_error(std::exception_ptr e);

}  // namespace ragrt::server
