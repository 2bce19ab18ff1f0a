#include "models/lm_head.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include <immintrin.h>

#include "ragrt/error.h"
#include "util/parallel_for.h"
#include "util/simd_dot.h"

namespace ragrt::models {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Below this many weights per thread, starting a thread costs more than it saves.
constexpr size_t kWeightsPerThread = size_t{1} << 19;

// Symmetric int8 quantization, as for the weights' rows and the hidden vectors: the scale that
// maps the largest magnitude to 127 (1 when there is none or it is not finite), and a value's code.
float int8_scale(float max_abs) { return max_abs > 0 && std::isfinite(max_abs) ? max_abs / 127.0f : 1.0f; }
float int8_code(float x, float scale) { return std::clamp(std::nearbyint(x / scale), -127.0f, 127.0f); }

// The VNNI screen of 16 rows for one query (rows `count` <= 16 of a block): their estimates
// (integer sums with the + 128 of the quantized hidden vector undone, scaled) and bounds, the
// floor `low` raised to the block's best lower bound, and a bit per row whose upper bound reaches
// it, with the upper bounds in `upper`. Raising the floor by the whole block before comparing is
// still safe: the final floor is at least as high. Only called where the CPU has AVX-512.
__attribute__((target("avx512f"))) uint32_t screen16(const int32_t* sums, const int32_t* row_sum, const float* scale,
                                                     const float* error, const float* norm, size_t count,
                                                     float h_scale, float radius, float radius_q, float& low,
                                                     float* upper) {
  const __mmask16 valid = count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
  const __m512i exact = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(valid, sums),
                                         _mm512_slli_epi32(_mm512_maskz_loadu_epi32(valid, row_sum), 7));
  const __m512 estimate =
      _mm512_mul_ps(_mm512_cvtepi32_ps(exact), _mm512_mul_ps(_mm512_maskz_loadu_ps(valid, scale), _mm512_set1_ps(h_scale)));
  const __m512 margin = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(valid, error), _mm512_set1_ps(radius),
                                        _mm512_mul_ps(_mm512_maskz_loadu_ps(valid, norm), _mm512_set1_ps(radius_q)));
  const __m512 up = _mm512_add_ps(estimate, margin);
  const float block_low = _mm512_mask_reduce_max_ps(valid, _mm512_sub_ps(estimate, margin));
  if (block_low > low) low = block_low;
  _mm512_storeu_ps(upper, up);
  return _mm512_mask_cmp_ps_mask(valid, up, _mm512_set1_ps(low), _CMP_GE_OQ);
}

}  // namespace

void apply_repetition_penalty(std::span<float> logits, std::span<const int32_t> distinct, float penalty) {
  for (int32_t id : distinct) {
    if (id >= 0 && static_cast<size_t>(id) < logits.size()) logits[id] = penalized_logit(logits[id], penalty);
  }
}

int32_t first_argmax(std::span<const float> v) {
  // std::max_element's compare-and-move chain runs at one element a cycle or worse; over a 150k
  // vocabulary, every step, that showed in profiles. Two vector passes: the maximum, then where it
  // first occurs.
#if defined(__SSE2__)
  const size_t n = v.size();
  size_t i = 0;
  __m128 m0 = _mm_set1_ps(-kInfinity), m1 = m0, m2 = m0, m3 = m0;
  for (; i + 16 <= n; i += 16) {
    m0 = _mm_max_ps(m0, _mm_loadu_ps(v.data() + i));
    m1 = _mm_max_ps(m1, _mm_loadu_ps(v.data() + i + 4));
    m2 = _mm_max_ps(m2, _mm_loadu_ps(v.data() + i + 8));
    m3 = _mm_max_ps(m3, _mm_loadu_ps(v.data() + i + 12));
  }
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, _mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3)));
  float best = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  for (; i < n; ++i) best = std::max(best, v[i]);
  if (std::isnan(best)) return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
  const __m128 target = _mm_set1_ps(best);
  for (i = 0; i + 4 <= n; i += 4) {
    if (int mask = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(v.data() + i), target))) {
      return static_cast<int32_t>(i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask))));
    }
  }
  for (; i < n; ++i) {
    if (v[i] == best) return static_cast<int32_t>(i);
  }
  return 0;
#else
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
#endif
}

LmHead::LmHead(std::vector<float> weight, size_t vocab, size_t hidden, size_t threads, bool allow_vnni)
    : weight_(std::move(weight)), vocab_(vocab), hidden_(hidden) {
  RAGRT_THROW_IF_NOT(vocab_ > 0 && hidden_ > 0 && weight_.size() == vocab_ * hidden_,
                     "vocabulary projection: {} weights for {} tokens of {} floats", weight_.size(), vocab_, hidden_);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads_ = std::clamp<size_t>(vocab_ * hidden_ / kWeightsPerThread, 1, threads);
  // With VNNI the hidden vector is quantized too and the estimate is an exact integer sum (16 rows
  // by groups of 4 columns); without, the int8 rows are widened to float (8 rows by groups of 8).
  // |sum| <= 255 * 127 * hidden must fit in int32.
  vnni_ = allow_vnni && util::has_vnni() && hidden_ <= 65536;
  block_rows_ = vnni_ ? 16 : 8;
  group_ = vnni_ ? 4 : 8;
  blocks_ = (vocab_ + block_rows_ - 1) / block_rows_;
  groups_ = (hidden_ + group_ - 1) / group_;
  if (vnni_) groups_ = (groups_ + 3) / 4 * 4;  // util::dot_u8i8_packed16 takes groups by fours
  quantized_.assign(blocks_ * block_rows_ * groups_ * group_, 0);
  scale_.resize(vocab_);
  error_.resize(vocab_);
  norm_.resize(vocab_);
  if (vnni_) row_sum_.resize(vocab_);
  // Float rounding of an n-term dot product, in any summation order, is at most
  // gamma * sum |a_i b_i| <= gamma * |a| |b| with gamma ~ n * 2^-24; doubled, with room for the
  // scale multiply and the comparisons.
  const double gamma = static_cast<double>(hidden_ + 8) * std::ldexp(1.0, -23);
  const size_t block_bytes = block_rows_ * groups_ * group_;
  util::parallel_for(vocab_, threads_, [&](size_t, size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t) {
      const float* w = weight_.data() + t * hidden_;
      // Row t's column i: block t / rows, group i / group, then row, then column within the group.
      int8_t* block = quantized_.data() + (t / block_rows_) * block_bytes + (t % block_rows_) * group_;
      const size_t group_bytes = block_rows_ * group_;
      float max_abs = 0;
      for (size_t i = 0; i < hidden_; ++i) max_abs = std::max(max_abs, std::fabs(w[i]));
      const float scale = int8_scale(max_abs);
      double error2 = 0, q2 = 0, w2 = 0;
      int64_t sum = 0;
      for (size_t i = 0; i < hidden_; ++i) {
        const int8_t v = static_cast<int8_t>(int8_code(w[i], scale));
        block[(i / group_) * group_bytes + i % group_] = v;
        const double e = static_cast<double>(w[i]) - static_cast<double>(scale) * v;
        error2 += e * e;
        q2 += static_cast<double>(v) * v;
        w2 += static_cast<double>(w[i]) * w[i];
        sum += v;
      }
      const double error =
          (std::sqrt(error2) + gamma * (scale * std::sqrt(q2) + std::sqrt(w2))) * (1 + 1e-6) + 1e-30;
      const double norm = scale * std::sqrt(q2) * (1 + 1e-6);
      scale_[t] = scale;
      // Rounded up: a non-finite weight gives an infinite bound, so its row is always computed.
      error_[t] = std::isfinite(error) ? std::nextafter(static_cast<float>(error), kInfinity) : kInfinity;
      norm_[t] = std::isfinite(norm) ? std::nextafter(static_cast<float>(norm), kInfinity) : kInfinity;
      if (vnni_) row_sum_[t] = static_cast<int32_t>(sum);
    }
  });
}

void LmHead::logits(std::span<const float* const> hidden, float* out) const {
  util::parallel_for(vocab_, threads_, [&](size_t, size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t) {
      const float* w = weight_.data() + t * hidden_;
      for (size_t i = 0; i < hidden.size(); ++i) out[i * vocab_ + t] = util::dot(w, hidden[i], hidden_);
    }
  });
}

void LmHead::argmax(std::span<const ArgmaxQuery> queries, std::span<int32_t> out) const {
  RAGRT_THROW_IF_NOT(out.size() == queries.size(), "vocabulary projection: {} answers for {} queries", out.size(),
                     queries.size());
  const size_t n = queries.size();
  if (n == 0) return;
  // Per query: |hidden|_2, and with VNNI the hidden vector quantized to bytes (q + 128, scale
  // max |h| / 127) and |its quantization error|_2. The estimate of token t's logit is then off by
  // at most error_[t] * |h| + norm_[t] * |h - quantized h| (w.h - w'.h' = w'.(h - h') + (w - w').h
  // with w', h' the quantized vectors), plus float rounding. A non-finite hidden state cannot be
  // bounded: that query takes every logit.
  const size_t padded_hidden = groups_ * group_;
  std::vector<float> radius(n), radius_q(n, 0.0f), h_scale(n, 1.0f);
  std::vector<float> padded(vnni_ ? 0 : n * padded_hidden, 0.0f);
  std::vector<uint8_t> bytes(vnni_ ? n * padded_hidden : 0, 128);
  std::vector<std::vector<char>> pinned(n);  // per query with a penalty: a flag per token; else empty
  for (size_t i = 0; i < n; ++i) {
    const float* h = queries[i].hidden;
    double sum = 0;
    float max_abs = 0;
    for (size_t j = 0; j < hidden_; ++j) {
      sum += static_cast<double>(h[j]) * h[j];
      max_abs = std::max(max_abs, std::fabs(h[j]));
    }
    radius[i] = std::nextafter(static_cast<float>(std::sqrt(sum) * (1 + 1e-6)), kInfinity);
    if (vnni_) {
      const float scale = int8_scale(max_abs);
      double error2 = 0;
      for (size_t j = 0; j < hidden_; ++j) {
        const float q = int8_code(h[j], scale);
        bytes[i * padded_hidden + j] = static_cast<uint8_t>(static_cast<int>(q) + 128);
        const double e = static_cast<double>(h[j]) - static_cast<double>(scale) * q;
        error2 += e * e;
      }
      // Rounding of the estimate itself (int to float, two multiplies): a few ulps of |w'| |h'|.
      const double r = (std::sqrt(error2) + std::ldexp(1.0, -21) * (std::sqrt(sum) + std::sqrt(error2))) * (1 + 1e-6);
      radius_q[i] = std::isfinite(r) ? std::nextafter(static_cast<float>(r), kInfinity) : kInfinity;
      h_scale[i] = scale;
    } else {
      std::copy_n(h, hidden_, padded.data() + i * padded_hidden);
    }
    if (queries[i].penalty != 1.0f && !queries[i].penalized.empty()) {
      pinned[i].assign(vocab_, 0);
      for (int32_t id : queries[i].penalized) {
        if (id >= 0 && static_cast<size_t>(id) < vocab_) pinned[i][static_cast<size_t>(id)] = 1;
      }
    }
  }

  // Pass 1: the int8 estimate of every logit. Each thread keeps, per query, the best lower bound
  // so far among tokens the penalty leaves alone (a penalized token's bound says nothing about its
  // penalized logit; those are computed exactly below) and the tokens whose upper bound reached
  // it when they were scored: the final best lower bound can only be higher, so no other token
  // can win. A block of rows at a time, read as one stream.
  struct Candidate {
    size_t token;
    float upper;
  };
  std::vector<std::vector<Candidate>> found(threads_ * n);
  std::vector<float> lower(threads_ * n, -kInfinity);
  const size_t block_bytes = block_rows_ * padded_hidden;
  util::parallel_for(blocks_, threads_, [&](size_t part, size_t begin, size_t end) {
    // The thread's own copies, handed back at the end: written for every row, shared cache lines
    // would bounce between the cores.
    std::vector<float> low(n, -kInfinity);
    std::vector<std::vector<Candidate>> kept(n);
    std::vector<float> widened(!vnni_ && n > 1 ? block_bytes : 0);  // shared by the queries
    std::vector<int32_t> sums(vnni_ ? n * 16 : 0);
    float estimates[16];
    for (size_t block = begin; block < end; ++block) {
      const int8_t* rows = quantized_.data() + block * block_bytes;
      if (vnni_) util::dot_u8i8_packed16(rows, bytes.data(), n, groups_, sums.data());
      if (!vnni_ && n > 1) util::widen_i8(rows, widened.data(), block_bytes);
      for (size_t i = 0; i < n; ++i) {
        const size_t first = block * block_rows_, count = std::min(block_rows_, vocab_ - first);
        if (vnni_ && pinned[i].empty()) {
          float upper[16];
          uint32_t reach = screen16(sums.data() + i * 16, row_sum_.data() + first, scale_.data() + first,
                                    error_.data() + first, norm_.data() + first, count, h_scale[i], radius[i],
                                    radius_q[i], low[i], upper);
          for (; reach; reach &= reach - 1) {
            const size_t r = static_cast<size_t>(__builtin_ctz(reach));
            kept[i].push_back({first + r, upper[r]});
          }
          continue;
        }
        if (vnni_) {
          for (size_t r = 0; r < count; ++r) {
            const int32_t exact = sums[i * 16 + r] - 128 * row_sum_[first + r];  // undo the + 128
            estimates[r] = static_cast<float>(exact) * (scale_[first + r] * h_scale[i]);
          }
        } else {
          const float* h = padded.data() + i * padded_hidden;
          if (n > 1) {
            util::dot_packed8(widened.data(), h, groups_, estimates);
          } else {
            util::dot_i8_packed8(rows, h, groups_, estimates);
          }
          for (size_t r = 0; r < count; ++r) estimates[r] *= scale_[first + r];
        }
        for (size_t r = 0; r < count; ++r) {
          const size_t t = first + r;
          if (!pinned[i].empty() && pinned[i][t]) continue;
          const float margin = error_[t] * radius[i] + norm_[t] * radius_q[i];
          low[i] = std::max(low[i], estimates[r] - margin);
          if (estimates[r] + margin >= low[i]) kept[i].push_back({t, estimates[r] + margin});
        }
      }
    }
    std::copy(low.begin(), low.end(), lower.begin() + static_cast<std::ptrdiff_t>(part * n));
    std::move(kept.begin(), kept.end(), found.begin() + static_cast<std::ptrdiff_t>(part * n));
  });

  // Pass 2, per query: exact logits for the penalized tokens and for the kept tokens whose upper
  // bound reaches the final best lower bound; the winner is among them.
  uint64_t exact = 0;
  for (size_t i = 0; i < n; ++i) {
    const ArgmaxQuery& query = queries[i];
    if (!std::isfinite(radius[i])) {
      std::vector<float> all(vocab_);
      const float* h = query.hidden;
      logits(std::span(&h, 1), all.data());
      apply_repetition_penalty(all, query.penalized, query.penalty);
      out[i] = first_argmax(all);
      exact += vocab_;
      continue;
    }
    float floor = -kInfinity;
    for (size_t p = 0; p < threads_; ++p) floor = std::max(floor, lower[p * n + i]);
    int32_t best = -1;
    float best_value = -kInfinity;
    auto consider = [&](size_t t, float value) {
      if (best < 0 || value > best_value || (value == best_value && static_cast<int32_t>(t) < best)) {
        best = static_cast<int32_t>(t);
        best_value = value;
      }
    };
    if (!pinned[i].empty()) {
      for (int32_t id : query.penalized) {
        if (id < 0 || static_cast<size_t>(id) >= vocab_) continue;
        const size_t t = static_cast<size_t>(id);
        const float value = penalized_logit(util::dot(weight_.data() + t * hidden_, query.hidden, hidden_), query.penalty);
        consider(t, value);
        floor = std::max(floor, value);
        exact += 1;
      }
    }
    for (size_t p = 0; p < threads_; ++p) {
      for (const Candidate& c : found[p * n + i]) {
        if (c.upper < floor) continue;
        consider(c.token, util::dot(weight_.data() + c.token * hidden_, query.hidden, hidden_));
        exact += 1;
      }
    }
    out[i] = best;
  }
  queries_ += n;
  exact_rows_ += exact;
}

}  // namespace ragrt::models
