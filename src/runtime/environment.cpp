#include "ragrt/runtime/environment.h"

#include <spdlog/spdlog.h>

namespace ragrt::runtime {
namespace {

void forward_to_spdlog(void*, OrtLoggingLevel severity, const char* category, const char* logid,
                       const char* code_location, const char* message) {
  spdlog::level::level_enum level = spdlog::level::info;
  switch (severity) {
    case ORT_LOGGING_LEVEL_VERBOSE: level = spdlog::level::trace; break;
    case ORT_LOGGING_LEVEL_INFO: level = spdlog::level::debug; break;
    case ORT_LOGGING_LEVEL_WARNING: level = spdlog::level::warn; break;
    case ORT_LOGGING_LEVEL_ERROR: level = spdlog::level::err; break;
    case ORT_LOGGING_LEVEL_FATAL: level = spdlog::level::critical; break;
  }
  spdlog::log(level, "onnxruntime: {} ({})", message, code_location ? code_location : "");
}

}  // namespace

Ort::Env& ort_env() {
  // Leaked on purpose, see the header.
  static Ort::Env* env = new Ort::Env(ORT_LOGGING_LEVEL_WARNING, "ragrt", forward_to_spdlog, nullptr);
  return *env;
}

const Ort::MemoryInfo& cpu_memory_info() {
  static const Ort::MemoryInfo* info =
      new Ort::MemoryInfo(Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault));
  return *info;
}

}  // namespace ragrt::runtime
