#pragma once
// Errors inside the library are exceptions that carry where they were raised (faiss style).
// Edges (CLI, HTTP) turn them into messages and status codes.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace ragrt {

enum class ErrorKind {
  kInvalidArgument,  // caller passed something malformed (bad UTF-8, unknown option)
  kNotFound,         // missing file, model, token
  kInvalidModel,     // model file corrupt or not what the component needs
  kIo,               // filesystem or network failure
  kRuntime,          // anything else that went wrong while running
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg, const char* file, int line)
      : std::runtime_error(msg), kind_(kind), file_(file), line_(line) {}
  ErrorKind kind() const { return kind_; }
  const char* file() const { return file_; }
  int line() const { return line_; }

 private:
  ErrorKind kind_;
  const char* file_;
  int line_;
};

}  // namespace ragrt

#define RAGRT_THROW_KIND(kind, ...) \
  throw ::ragrt::Error((kind), ::fmt::format(__VA_ARGS__), __FILE__, __LINE__)
#define RAGRT_THROW(...) RAGRT_THROW_KIND(::ragrt::ErrorKind::kRuntime, __VA_ARGS__)
#define RAGRT_THROW_IF_NOT(cond, ...)       \
  do {                                      \
    if (!(cond)) RAGRT_THROW(__VA_ARGS__);  \
  } while (0)
#define RAGRT_THROW_IF_NOT_KIND(cond, kind, ...)       \
  do {                                                 \
    if (!(cond)) RAGRT_THROW_KIND((kind), __VA_ARGS__); \
  } while (0)
