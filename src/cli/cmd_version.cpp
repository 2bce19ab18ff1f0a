#include <iostream>

#include "cli/command.h"
#include "ragrt/version.h"

namespace ragrt::cli {
namespace {
CommandRegistrar reg{{"version", "Print ragrt and ONNX Runtime versions", [](CLI::App&) {
                        return [] {
                          std::cout << "ragrt " << version() << " (onnxruntime "
                                    << onnxruntime_version() << ")\n";
                          return 0;
                        };
                      }, {"ragrt version"}}};
}  // namespace
}  // namespace ragrt::cli
