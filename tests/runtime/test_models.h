#pragma once
// Paths of the synthetic models that scripts/fixtures/20-models.sh writes into the test work dir
// (ctest runs it first; by hand: bash scripts/make_test_fixtures.sh BUILD/test_work).
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace ragrt::testing {

inline std::filesystem::path test_model_dir(const std::string& name) {
  return std::filesystem::path(RAGRT_TEST_WORK_DIR) / "models" / name;
}

inline std::filesystem::path test_model_onnx(const std::string& name) {
  return test_model_dir(name) / "onnx" / "model.onnx";
}

// Routes spdlog's default logger into a string for the lifetime of the object.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace ragrt::testing
