#pragma once
// The one ONNX Runtime environment of the process. ORT expects a single OrtEnv that outlives every
// session; its log messages are forwarded to spdlog (logger "onnxruntime").
#include <onnxruntime_cxx_api.h>

namespace ragrt::runtime {

// Created on first use, never destroyed: destroying it during static destruction would race
// with sessions still owned by other static objects.
Ort::Env& ort_env();

// CPU memory description for tensors ragrt creates over its own buffers.
const Ort::MemoryInfo& cpu_memory_info();

}  // namespace ragrt::runtime
