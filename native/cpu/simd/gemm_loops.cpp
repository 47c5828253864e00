// A small float32 product for one instruction set (see simd.h): C[m, n] = A[m, k] @ W[k, n], all
// row-major, for the recurrent step products (rnn_sequence.cpp: a few dozen rows, a block of 64
// columns, k of a few hundred, repeated every step). OpenBLAS packs both operands on every such
// call; here the only copy is W's current column slab, packed once into a contiguous [k][NR] strip
// (strided rows of W alias in L1) and reused by every group of rows. Each C element is one
// multiply-add chain over p = 0..k-1 in order, whatever the blocking.
#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

constexpr int kNR = 2 * kLanesF;  // columns per register tile: two vectors
constexpr int kMR = kLanesF == 4 ? 4 : 6;  // rows per register tile: 2 * kMR accumulators fit the registers
constexpr int64_t kDepth = 256;  // p per pass: a packed strip of kDepth x kNR floats stays in L1

/** C rows [0, MR) x NV vectors += (or =, when first) A[0..MR) x strip, over depth p < k. */
template <int MR, int NV>
PJ_INLINE void tile(int64_t k, const float* A, int64_t lda, const float* strip, float* C, int64_t ldc, bool first) {
    vf acc[MR][NV];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++) acc[r][v] = first ? vf{} : load<vf>(C + r * ldc + v * kLanesF);
    for (int64_t p = 0; p < k; p++) {
        vf w[NV];
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++) w[v] = load<vf>(strip + p * kNR + v * kLanesF);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            const float a = A[r * lda + p];  // vector * scalar: one broadcast (splat<> compiles to inserts)
#pragma GCC unroll 2
            for (int v = 0; v < NV; v++) acc[r][v] += a * w[v];
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++) store(C + r * ldc + v * kLanesF, acc[r][v]);
}

template <int NV>
void rows(int64_t m, int64_t k, const float* A, int64_t lda, const float* strip, float* C, int64_t ldc, bool first) {
    int64_t i = 0;
    for (; i + kMR <= m; i += kMR) tile<kMR, NV>(k, A + i * lda, lda, strip, C + i * ldc, ldc, first);
    switch (m - i) {  // the last rows
        case 1: tile<1, NV>(k, A + i * lda, lda, strip, C + i * ldc, ldc, first); break;
        case 2: tile<2, NV>(k, A + i * lda, lda, strip, C + i * ldc, ldc, first); break;
        case 3: tile<3, NV>(k, A + i * lda, lda, strip, C + i * ldc, ldc, first); break;
        case 4: if constexpr (kMR > 4) tile<4, NV>(k, A + i * lda, lda, strip, C + i * ldc, ldc, first); break;
        case 5: if constexpr (kMR > 5) tile<5, NV>(k, A + i * lda, lda, strip, C + i * ldc, ldc, first); break;
        default: break;
    }
}

void gemm_small(int64_t m, int64_t n, int64_t k, const float* A, int64_t lda, const float* W, int64_t ldw, float* C, int64_t ldc) {
    alignas(64) float strip[kDepth * kNR];
    for (int64_t j = 0; j < n; j += kNR) {
        const int64_t cols = n - j < kNR ? n - j : kNR;
        if (cols < kNR && cols % kLanesF != 0) {  // a ragged last slab: plain loops
            for (int64_t i = 0; i < m; i++)
                for (int64_t c = 0; c < cols; c++) {
                    float s = 0;
                    for (int64_t p = 0; p < k; p++) s += A[i * lda + p] * W[p * ldw + j + c];
                    C[i * ldc + j + c] = s;
                }
            continue;
        }
        for (int64_t p0 = 0; p0 < k || p0 == 0; p0 += kDepth) {
            const int64_t depth = k - p0 < kDepth ? k - p0 : kDepth;
            if (cols == kNR) {
                for (int64_t p = 0; p < depth; p++) {
                    const float* w = W + (p0 + p) * ldw + j;
                    store(strip + p * kNR, load<vf>(w)), store(strip + p * kNR + kLanesF, load<vf>(w + kLanesF));
                }
            } else {
                for (int64_t p = 0; p < depth; p++) store(strip + p * kNR, load<vf>(W + (p0 + p) * ldw + j));
            }
            if (cols == kNR) rows<2>(m, depth, A + p0, lda, strip, C + j, ldc, p0 == 0);
            else rows<1>(m, depth, A + p0, lda, strip, C + j, ldc, p0 == 0);
            if (k == 0) break;
        }
    }
}

}  // namespace

void fill_gemm(KernelTable* t) { t->gemm_small_f32 = gemm_small; }

}  // namespace pj::cpu::PJ_ISA_NS
