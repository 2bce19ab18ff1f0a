#pragma once
#include <string>

namespace ragrt {
std::string version();
std::string onnxruntime_version();  // of the library actually loaded at run time
}  // namespace ragrt
