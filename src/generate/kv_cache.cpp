#include "generate/kv_cache.h"

#include <algorithm>
#include <cstring>

#include "ragrt/error.h"

namespace ragrt::generate {
namespace {

size_t element_size(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return 4;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return 2;
    default: RAGRT_THROW("KV cache: unsupported element type {}", static_cast<int>(type));
  }
}

}  // namespace

KvCache::KvCache(std::vector<Ort::Value> tensors, std::vector<size_t> pads) : pads_(std::move(pads)) {
  for (auto& t : tensors) tensors_.push_back(std::make_shared<Ort::Value>(std::move(t)));
  if (!tensors_.empty()) {
    auto shape = tensors_[0]->GetTensorTypeAndShapeInfo().GetShape();
    RAGRT_THROW_IF_NOT(shape.size() == 4 && static_cast<size_t>(shape[0]) == pads_.size(),
                       "KV cache: present tensor has {} rows, expected {}", shape.empty() ? 0 : shape[0], pads_.size());
    length_ = static_cast<size_t>(shape[2]);
  }
}

size_t KvCache::bytes() const {
  size_t total = 0;
  for (const auto& t : tensors_) {
    auto info = t->GetTensorTypeAndShapeInfo();
    total += info.GetElementCount() * element_size(info.GetElementType());
  }
  return total;
}

std::vector<const Ort::Value*> KvCache::tensors() const {
  std::vector<const Ort::Value*> out;
  for (const auto& t : tensors_) out.push_back(t.get());
  return out;
}

void KvCache::advance(std::vector<Ort::Value> present) {
  RAGRT_THROW_IF_NOT(present.size() == tensors_.size() || tensors_.empty(), "KV cache: {} present tensors for {}",
                     present.size(), tensors_.size());
  tensors_.clear();
  for (auto& t : present) tensors_.push_back(std::make_shared<Ort::Value>(std::move(t)));
  length_ = static_cast<size_t>(tensors_[0]->GetTensorTypeAndShapeInfo().GetShape()[2]);
}

KvCache KvCache::gather(std::span<const RowRef> rows) {
  RAGRT_THROW_IF_NOT(!rows.empty(), "KV cache: gather of no rows");
  std::vector<size_t> keep(rows.size());
  size_t length = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    keep[i] = std::min(rows[i].tokens, rows[i].cache->tokens(rows[i].row));
    length = std::max(length, keep[i]);
  }
  // All of one cache, unchanged: share its tensors.
  const KvCache* only = rows[0].cache;
  bool whole = rows.size() == only->rows() && length == only->length();
  for (size_t i = 0; whole && i < rows.size(); ++i) {
    whole = rows[i].cache == only && rows[i].row == i && keep[i] == only->tokens(i);
  }
  if (whole) return *only;

  KvCache out;
  out.length_ = length;
  for (size_t i = 0; i < rows.size(); ++i) out.pads_.push_back(length - keep[i]);
  Ort::AllocatorWithDefaultOptions allocator;
  for (size_t t = 0; t < only->tensors_.size(); ++t) {
    auto info = only->tensors_[t]->GetTensorTypeAndShapeInfo();
    auto shape = info.GetShape();
    const size_t heads = static_cast<size_t>(shape[1]), dim = static_cast<size_t>(shape[3]);
    const size_t esize = element_size(info.GetElementType());
    std::vector<int64_t> dims{static_cast<int64_t>(rows.size()), shape[1], static_cast<int64_t>(length), shape[3]};
    auto dst = Ort::Value::CreateTensor(allocator, dims.data(), dims.size(), info.GetElementType());
    auto* to = static_cast<char*>(dst.GetTensorMutableRawData());
    const size_t row_stride = heads * length * dim * esize;
    for (size_t i = 0; i < rows.size(); ++i) {
      const KvCache& src = *rows[i].cache;
      RAGRT_THROW_IF_NOT(src.tensors_.size() == only->tensors_.size(), "KV cache: gathering caches of other models");
      const Ort::Value& from_value = *src.tensors_[t];
      const auto* from = static_cast<const char*>(from_value.GetTensorRawData());
      const size_t src_len = src.length_, src_pad = src.pads_[rows[i].row];
      const size_t pad = out.pads_[i];
      for (size_t h = 0; h < heads; ++h) {
        char* d = to + i * row_stride + h * length * dim * esize;
        const char* s = from + ((rows[i].row * heads + h) * src_len + src_pad) * dim * esize;
        std::memset(d, 0, pad * dim * esize);
        std::memcpy(d + pad * dim * esize, s, keep[i] * dim * esize);
      }
    }
    out.tensors_.push_back(std::make_shared<Ort::Value>(std::move(dst)));
  }
  return out;
}

}  // namespace ragrt::generate
