#pragma once
// Dot products for the scans ragrt runs itself: exact vector search and the vocabulary projection
// of a decoder (models/lm_head.h). Debian builds for baseline x86-64 (SSE2); AVX2 + FMA, AVX-512
// and VNNI kernels are chosen at run time when the CPU has them. Each function always sums in the same order for a given
// length, so a row scores the same whichever batch or thread computes it.
#include <cstddef>
#include <cstdint>

namespace ragrt::util {

float dot(const float* a, const float* b, size_t n);

// Eight rows at once, packed so that one pass reads them as a single stream (eight rows read side
// by side are eight streams, which the hardware prefetcher serves at half the bandwidth): the
// block holds `chunks` groups of 8 columns, each group the 8 rows' 8 values in row order (row r,
// column 8c + k at block[c * 64 + r * 8 + k]). out[r] = row r's dot with b (8 * chunks floats).
// Summed in another order than dot(); for scans that need values within a rounding bound.
void dot_packed8(const float* block, const float* b, size_t chunks, float* out);
void dot_i8_packed8(const int8_t* block, const float* b, size_t chunks, float* out);

// out[i] = q[i]
void widen_i8(const int8_t* q, float* out, size_t n);

// Whether the CPU has AVX-512 VNNI, for dot_u8i8_packed16.
bool has_vnni();
// Sixteen int8 rows against `queries` uint8 vectors in exact integer arithmetic (AVX-512 VNNI;
// call only when has_vnni()). The block holds `chunks` groups of 4 columns, each group the 16
// rows' 4 values in row order (row r, column 4c + k at block[c * 64 + r * 4 + k]); `chunks` is a
// multiple of 4. Query q's values are b[q * 4 * chunks + i]. out[q * 16 + r] = sum b_q[i] * row_r[i].
void dot_u8i8_packed16(const int8_t* block, const uint8_t* b, size_t queries, size_t chunks, int32_t* out);

// Which kernel dot() uses on this CPU: "avx2+fma" or "scalar"; the packed ones add
// "avx512".
const char* dot_kernel();
const char* packed_kernel();

}  // namespace ragrt::util
