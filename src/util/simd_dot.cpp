#include "util/simd_dot.h"

#include <immintrin.h>

namespace ragrt::util {
namespace {

float dot_scalar(const float* a, const float* b, size_t n) {
  // Four accumulators let the compiler vectorize with the baseline instruction set.
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

__attribute__((target("avx2,fma"))) float horizontal_sum(__m256 s) {
  __m128 half = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  half = _mm_hadd_ps(half, half);
  half = _mm_hadd_ps(half, half);
  return _mm_cvtss_f32(half);
}

__attribute__((target("avx2,fma"))) float dot_avx2(const float* a, const float* b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

__attribute__((target("avx2,fma"))) __m256 widen8(const int8_t* q) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q))));
}

template <typename T>
void packed8_scalar(const T* block, const float* b, size_t chunks, float* out) {
  for (size_t r = 0; r < 8; ++r) {
    float sum = 0;
    for (size_t c = 0; c < chunks; ++c) {
      for (size_t k = 0; k < 8; ++k) sum += static_cast<float>(block[c * 64 + r * 8 + k]) * b[c * 8 + k];
    }
    out[r] = sum;
  }
}

// The eight accumulators' sums as one vector: lane r holds the sum of acc[r].
__attribute__((target("avx2,fma"))) __m256 sum_each(const __m256* acc) {
  const __m256 t0 = _mm256_hadd_ps(acc[0], acc[1]), t1 = _mm256_hadd_ps(acc[2], acc[3]);
  const __m256 t2 = _mm256_hadd_ps(acc[4], acc[5]), t3 = _mm256_hadd_ps(acc[6], acc[7]);
  const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

__attribute__((target("avx2,fma"))) inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
__attribute__((target("avx2,fma"))) inline __m256 load8(const int8_t* p) { return widen8(p); }

template <typename T>
__attribute__((target("avx2,fma"))) void packed8_avx2(const T* block, const float* b, size_t chunks, float* out) {
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (size_t c = 0; c < chunks; ++c, block += 64) {
    const __m256 bv = _mm256_loadu_ps(b + c * 8);
    for (size_t r = 0; r < 8; ++r) acc[r] = _mm256_fmadd_ps(load8(block + r * 8), bv, acc[r]);
  }
  _mm256_storeu_ps(out, sum_each(acc));
}

// AVX-512: one register holds two rows' group of 8, so four registers cover the block's 8 rows.
__attribute__((target("avx512f,avx512dq"))) inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
__attribute__((target("avx512f,avx512dq"))) inline __m512 load16(const int8_t* p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

template <typename T>
__attribute__((target("avx512f,avx512dq"))) void packed8_avx512(const T* block, const float* b, size_t chunks,
                                                                float* out) {
  __m512 acc[4];
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (size_t c = 0; c < chunks; ++c, block += 64) {
    const __m512 bv = _mm512_broadcast_f32x8(_mm256_loadu_ps(b + c * 8));
    for (size_t r = 0; r < 4; ++r) acc[r] = _mm512_fmadd_ps(load16(block + r * 16), bv, acc[r]);
  }
  // acc[r] holds rows 2r (low half) and 2r + 1 (high half): add each half's 8 lanes.
  __m256 halves[8];
  for (size_t r = 0; r < 4; ++r) {
    halves[2 * r] = _mm512_castps512_ps256(acc[r]);
    halves[2 * r + 1] = _mm512_extractf32x8_ps(acc[r], 1);
  }
  _mm256_storeu_ps(out, sum_each(halves));
}

__attribute__((target("avx512f,avx512dq"))) void widen_avx512(const int8_t* q, float* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, load16(q + i));
  for (; i < n; ++i) out[i] = static_cast<float>(q[i]);
}

// G queries share each load of the block; A accumulators per query hide dpbusd's latency.
template <int G>
__attribute__((target("avx512f,avx512vnni"))) void u8i8_group(const int8_t* block, const uint8_t* b, size_t chunks,
                                                             int32_t* out) {
  constexpr int A = G == 1 ? 4 : (G == 2 ? 2 : 1);
  const size_t stride = 4 * chunks;
  __m512i acc[G][A];
  for (auto& row : acc)
    for (auto& a : row) a = _mm512_setzero_si512();
  for (size_t c = 0; c < chunks; c += A) {
    for (int a = 0; a < A; ++a) {
      const __m512i w = _mm512_loadu_si512(block + (c + a) * 64);
      for (int g = 0; g < G; ++g) {
        int32_t four;
        __builtin_memcpy(&four, b + g * stride + (c + a) * 4, 4);
        acc[g][a] = _mm512_dpbusd_epi32(acc[g][a], _mm512_set1_epi32(four), w);
      }
    }
  }
  for (int g = 0; g < G; ++g) {
    __m512i sum = acc[g][0];
    for (int a = 1; a < A; ++a) sum = _mm512_add_epi32(sum, acc[g][a]);
    _mm512_storeu_si512(out + g * 16, sum);
  }
}

bool has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

const bool kAvx512 = has_avx512();

bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const bool kAvx2 = has_avx2();

bool has_avx512_vnni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni");
}

const bool kVnni = has_avx512_vnni();

}  // namespace

float dot(const float* a, const float* b, size_t n) { return kAvx2 ? dot_avx2(a, b, n) : dot_scalar(a, b, n); }

void dot_packed8(const float* block, const float* b, size_t chunks, float* out) {
  if (kAvx512) return packed8_avx512(block, b, chunks, out);
  kAvx2 ? packed8_avx2(block, b, chunks, out) : packed8_scalar(block, b, chunks, out);
}

void dot_i8_packed8(const int8_t* block, const float* b, size_t chunks, float* out) {
  if (kAvx512) return packed8_avx512(block, b, chunks, out);
  kAvx2 ? packed8_avx2(block, b, chunks, out) : packed8_scalar(block, b, chunks, out);
}

void widen_i8(const int8_t* q, float* out, size_t n) {
  if (kAvx512) return widen_avx512(q, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(q[i]);
}

bool has_vnni() { return kVnni; }

void dot_u8i8_packed16(const int8_t* block, const uint8_t* b, size_t queries, size_t chunks, int32_t* out) {
  const size_t stride = 4 * chunks;
  for (size_t q = 0; q < queries;) {
    const size_t left = queries - q;
    if (left >= 4) {
      u8i8_group<4>(block, b + q * stride, chunks, out + q * 16), q += 4;
    } else if (left >= 2) {
      u8i8_group<2>(block, b + q * stride, chunks, out + q * 16), q += 2;
    } else {
      u8i8_group<1>(block, b + q * stride, chunks, out + q * 16), q += 1;
    }
  }
}

const char* dot_kernel() { return kAvx2 ? "avx2+fma" : "scalar"; }

const char* packed_kernel() { return kVnni ? "avx512-vnni" : kAvx512 ? "avx512" : dot_kernel(); }

}  // namespace ragrt::util
