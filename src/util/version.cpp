#include "ragrt/version.h"

#include <onnxruntime_cxx_api.h>

namespace ragrt {
std::string version() { return "0.1.0"; }
std::string onnxruntime_version() { return Ort::GetVersionString(); }
}  // namespace ragrt
