#pragma once
// What a model declares about one of its inputs or outputs, as read from the ONNX graph: the
// components look tensors up by name instead of assuming one exporter's layout.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <onnxruntime_cxx_api.h>

namespace ragrt::runtime {

struct TensorInfo {
  std::string name;
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  // -1 for a dynamic axis; dim_names holds its symbolic name ("batch_size") or "" when unnamed.
  std::vector<int64_t> shape;
  std::vector<std::string> dim_names;
  bool is_tensor = true;  // false for sequences/maps, which ragrt components never consume

  size_t rank() const { return shape.size(); }
  // "input_ids (int64 [batch_size, sequence_length])"
  std::string describe() const;
};

std::string_view element_type_name(ONNXTensorElementDataType t);
// "a (int64 [batch, seq]), b (float [batch, 384])"
std::string describe(const std::vector<TensorInfo>& infos);

}  // namespace ragrt::runtime
