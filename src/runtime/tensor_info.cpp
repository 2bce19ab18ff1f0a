#include "ragrt/runtime/tensor_info.h"

#include <fmt/format.h>

namespace ragrt::runtime {

std::string_view element_type_name(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return "float";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: return "uint16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: return "int16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING: return "string";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: return "double";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: return "uint32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: return "uint64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: return "bfloat16";
    default: return "other";
  }
}

std::string TensorInfo::describe() const {
  if (!is_tensor) return fmt::format("{} (not a tensor)", name);
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) dims += ", ";
    if (shape[i] >= 0) {
      dims += std::to_string(shape[i]);
    } else if (i < dim_names.size() && !dim_names[i].empty()) {
      dims += dim_names[i];
    } else {
      dims += "?";
    }
  }
  return fmt::format("{} ({} [{}])", name, element_type_name(type), dims);
}

std::string describe(const std::vector<TensorInfo>& infos) {
  std::string out;
  for (size_t i = 0; i < infos.size(); ++i) {
    if (i) out += ", ";
    out += infos[i].describe();
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace ragrt::runtime
