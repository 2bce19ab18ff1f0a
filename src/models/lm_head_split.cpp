#include "models/lm_head_split.h"

#include <cstring>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "ragrt/error.h"

namespace ragrt::models {
namespace {

using Graph = onnx::GraphProto;

// Uses of `name` as a node input anywhere in `g`, including the subgraphs of If / Loop / Scan
// nodes, which may read outer-scope values.
size_t count_uses(const Graph& g, const std::string& name) {
  size_t uses = 0;
  for (const auto& node : g.node()) {
    for (const auto& in : node.input()) uses += in == name;
    for (const auto& attr : node.attribute()) {
      if (attr.has_g()) uses += count_uses(attr.g(), name);
      for (const auto& sub : attr.graphs()) uses += count_uses(sub, name);
    }
  }
  for (const auto& out : g.output()) uses += out.name() == name;
  return uses;
}

int producer_of(const Graph& g, const std::string& name) {
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto& out : g.node(i).output()) {
      if (out == name) return i;
    }
  }
  return -1;
}

int initializer_index(const Graph& g, const std::string& name) {
  for (int i = 0; i < g.initializer_size(); ++i) {
    if (g.initializer(i).name() == name) return i;
  }
  return -1;
}

bool is_default_domain(const onnx::NodeProto& node) { return node.domain().empty() || node.domain() == "ai.onnx"; }

// A float32 2-D constant's values, from the file or its external data.
std::vector<float> floats_of(const onnx::TensorProto& t, const std::filesystem::path& onnx) {
  const size_t count = static_cast<size_t>(t.dims(0)) * static_cast<size_t>(t.dims(1));
  std::vector<float> values(count);
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    size_t offset = 0, length = count * sizeof(float);
    for (const auto& entry : t.external_data()) {
      if (entry.key() == "location") location = entry.value();
      if (entry.key() == "offset") offset = std::stoull(entry.value());
      if (entry.key() == "length") length = std::stoull(entry.value());
    }
    const std::filesystem::path data = onnx.parent_path() / location;
    RAGRT_THROW_IF_NOT_KIND(!location.empty() && length == count * sizeof(float), ErrorKind::kInvalidModel,
                            "{}: initializer '{}' has external data of {} bytes at '{}', expected {} floats",
                            onnx.string(), t.name(), length, location, count);
    std::ifstream in(data, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(length));
    RAGRT_THROW_IF_NOT_KIND(in.good(), ErrorKind::kInvalidModel,
                            "{}: cannot read {} bytes at offset {} of {} for initializer '{}'", onnx.string(), length,
                            offset, data.string(), t.name());
  } else if (!t.raw_data().empty()) {
    RAGRT_THROW_IF_NOT_KIND(t.raw_data().size() == count * sizeof(float), ErrorKind::kInvalidModel,
                            "{}: initializer '{}' holds {} bytes for {} floats", onnx.string(), t.name(),
                            t.raw_data().size(), count);
    std::memcpy(values.data(), t.raw_data().data(), t.raw_data().size());
  } else {
    RAGRT_THROW_IF_NOT_KIND(static_cast<size_t>(t.float_data_size()) == count, ErrorKind::kInvalidModel,
                            "{}: initializer '{}' holds {} floats, its dims say {}", onnx.string(), t.name(),
                            t.float_data_size(), count);
    std::copy(t.float_data().begin(), t.float_data().end(), values.begin());
  }
  return values;
}

bool is_float_matrix(const onnx::TensorProto& t) {
  return t.data_type() == onnx::TensorProto::FLOAT && t.dims_size() == 2 && t.dims(0) > 0 && t.dims(1) > 0;
}

// Removes the initializer (and its graph input entry, which IR < 4 files carry) once nothing reads it.
void drop_if_unused(Graph& g, const std::string& name) {
  if (count_uses(g, name) > 0) return;
  if (int i = initializer_index(g, name); i >= 0) g.mutable_initializer()->DeleteSubrange(i, 1);
  for (int i = 0; i < g.input_size(); ++i) {
    if (g.input(i).name() == name) {
      g.mutable_input()->DeleteSubrange(i, 1);
      break;
    }
  }
}

}  // namespace

std::optional<SplitDecoder> split_lm_head(const std::filesystem::path& onnx, std::string& why) {
  onnx::ModelProto model;
  {
    std::ifstream in(onnx, std::ios::binary);
    RAGRT_THROW_IF_NOT_KIND(in && model.ParseFromIstream(&in), ErrorKind::kInvalidModel,
                            "{}: not a readable ONNX model", onnx.string());
  }
  Graph& g = *model.mutable_graph();
  int logits_output = -1;
  for (int i = 0; i < g.output_size(); ++i) {
    if (g.output(i).name() == "logits") logits_output = i;
  }
  const int head_index = producer_of(g, "logits");
  if (logits_output < 0 || head_index < 0) {
    why = "no node computes the 'logits' output";
    return std::nullopt;
  }
  const onnx::NodeProto head = g.node(head_index);
  if (head.op_type() != "MatMul" || !is_default_domain(head) || head.input_size() != 2) {
    why = "'logits' comes from a " + head.op_type() + " node, not a MatMul";
    return std::nullopt;
  }
  if (count_uses(g, "logits") != 1) {
    why = "other nodes read 'logits'";
    return std::nullopt;
  }
  const std::string hidden_name = head.input(0), weight_name = head.input(1);
  for (const auto& out : g.output()) {
    if (out.name() == hidden_name) {
      why = "the projection's input is already a graph output";
      return std::nullopt;
    }
  }

  SplitDecoder split;
  std::string constant;  // the initializer the weights came from
  int transpose_index = -1;
  if (int w = initializer_index(g, weight_name); w >= 0) {
    const auto& t = g.initializer(w);
    if (!is_float_matrix(t)) {
      why = "the projection's weight '" + weight_name + "' is not a float32 matrix";
      return std::nullopt;
    }
    split.hidden = static_cast<size_t>(t.dims(0));
    split.vocab = static_cast<size_t>(t.dims(1));
    std::vector<float> by_column = floats_of(t, onnx);  // [hidden, vocab]
    split.weight.resize(by_column.size());
    for (size_t h = 0; h < split.hidden; ++h) {
      for (size_t v = 0; v < split.vocab; ++v) split.weight[v * split.hidden + h] = by_column[h * split.vocab + v];
    }
    constant = weight_name;
  } else if (transpose_index = producer_of(g, weight_name); transpose_index >= 0) {
    const auto& transpose = g.node(transpose_index);
    bool swaps = transpose.op_type() == "Transpose" && is_default_domain(transpose) && transpose.input_size() == 1;
    for (const auto& attr : transpose.attribute()) {
      if (attr.name() == "perm") swaps = swaps && attr.ints_size() == 2 && attr.ints(0) == 1 && attr.ints(1) == 0;
    }
    const int e = swaps ? initializer_index(g, transpose.input(0)) : -1;
    if (e < 0 || !is_float_matrix(g.initializer(e))) {
      why = "the projection's weight '" + weight_name + "' is neither a float32 constant nor its transpose";
      return std::nullopt;
    }
    const auto& t = g.initializer(e);
    split.vocab = static_cast<size_t>(t.dims(0));
    split.hidden = static_cast<size_t>(t.dims(1));
    split.weight = floats_of(t, onnx);
    constant = t.name();
  } else {
    why = "the projection's weight '" + weight_name + "' is a graph input";
    return std::nullopt;
  }

  // The new output: the hidden states, with the batch and sequence axes of `logits`.
  onnx::ValueInfoProto hidden_info = g.output(logits_output);
  hidden_info.set_name(hidden_name);
  auto* tensor = hidden_info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tensor->mutable_shape();
  while (shape->dim_size() < 3) shape->add_dim();
  shape->mutable_dim(2)->set_dim_value(static_cast<int64_t>(split.hidden));
  *g.mutable_output(logits_output) = hidden_info;

  g.mutable_node()->DeleteSubrange(head_index, 1);
  if (transpose_index >= 0) {
    const int t = producer_of(g, weight_name);
    if (t >= 0 && count_uses(g, weight_name) == 0) g.mutable_node()->DeleteSubrange(t, 1);
  }
  drop_if_unused(g, constant);

  RAGRT_THROW_IF_NOT_KIND(model.SerializeToString(&split.model), ErrorKind::kInvalidModel,
                          "{}: the graph without its vocabulary projection cannot be serialized (over 2 GB? "
                          "export the weights as external data)",
                          onnx.string());
  split.hidden_output = hidden_name;
  return split;
}

}  // namespace ragrt::models
