// The table of inner loops that one instruction set provides. The files under simd/ are compiled
// once per instruction set (baseline x86-64, AVX2, AVX-512), each filling its own table; isa.cpp
// picks the best table the CPU runs at startup. Drivers (one file per op family) do validation,
// N-d iteration and threading in baseline code and call these loops for the contiguous or strided
// innermost runs.
#pragma once

#include <stdint.h>

#include "pyj4_abi.h"

namespace pj::cpu {

/**
 * An elementwise inner loop over n elements: p[i] points at operand i's first element and s[i] is
 * its stride in bytes (0 for broadcast); the output is the last operand.
 */
typedef void (*Loop)(char* const* p, const int64_t* s, int64_t n);

/** Accumulator classes of a reduction: in double (float outputs) or in wrapping int64. */
enum AccClass { ACC_DOUBLE = 0, ACC_INT = 1, ACC_CLASS_COUNT = 2 };

/** A running reduction; `index` is the position of the best value for ARGMAX/ARGMIN (-1: none yet). */
struct Acc {
    double f;
    int64_t i;
    int64_t index;
};

/**
 * Folds n elements at p (stride in bytes) into acc; for ARGMAX/ARGMIN `first` is the reduced
 * index of the first one, and earlier positions win ties.
 */
typedef void (*RowReduce)(const char* p, int64_t stride, int64_t n, int64_t first, Acc* acc);

/** Folds a contiguous row of n elements into n accumulators (double[] or int64_t[] by class). */
typedef void (*ColumnReduce)(const char* p, int64_t n, void* acc);

/**
 * One fused optimizer update of float32 tensors (org.pyj4.backend.OptimizerKind): kind is the
 * enum's ordinal, h its hyperparameters, s its state tensors in order (unused ones null), alpha
 * Adam's bias-corrected step size. All pointers are to contiguous, non-overlapping elements.
 * Every kind but centered RMSprop (which optimizer.cpp computes in double).
 */
struct OptimizerStepF32 {
    int kind;
    float* p;
    const float* g;
    float* s[3];
    double h[7];
    double alpha;
};

/** Applies the update to elements [begin, end). */
typedef void (*OptimizerLoop)(const OptimizerStepF32* step, int64_t begin, int64_t end);

/**
 * One batch row of a fused LSTM or GRU step in float32 (rnn_cell.cpp): r holds the row of every operand in
 * the org.pyj4.backend.RnnCell order, each contiguous; H is the number of units. Computes units [j0, j1)
 * only (the sequence loops of rnn_sequence.cpp share a step's units out between threads).
 */
typedef void (*RnnRowF32)(float* const* r, int64_t H, int64_t j0, int64_t j1);

/** C[m, n] = A[m, k] @ W[k, n], float32, row-major with leading dimensions lda, ldw, ldc (simd/gemm_loops.cpp). */
typedef void (*GemmSmallF32)(int64_t m, int64_t n, int64_t k, const float* A, int64_t lda, const float* W, int64_t ldw, float* C,
                             int64_t ldc);

struct KernelTable {
    const char* isa;
    Loop cast[PJ_DTYPE_COUNT][PJ_DTYPE_COUNT];  // [from][to]
    Loop unary[PJ_UNARY_OP_COUNT][PJ_DTYPE_COUNT];
    Loop binary[PJ_BINARY_OP_COUNT][PJ_DTYPE_COUNT];
    Loop where[4];  // by log2(item size): selection only moves bits
    Loop where_bool;  // bools: stores the selected value as 0/1
    RowReduce row_reduce[PJ_REDUCE_OP_COUNT][PJ_DTYPE_COUNT][ACC_CLASS_COUNT];
    ColumnReduce column_reduce[PJ_REDUCE_OP_COUNT][PJ_DTYPE_COUNT][ACC_CLASS_COUNT];
    OptimizerLoop optimizer_f32;
    RnnRowF32 lstm_forward_f32, lstm_backward_f32, gru_forward_f32, gru_backward_f32;
    GemmSmallF32 gemm_small_f32;
};

namespace baseline { void fill_table(KernelTable* t); }
namespace avx2 { void fill_table(KernelTable* t); }
namespace avx512 { void fill_table(KernelTable* t); }

/** The table of the instruction set in use. */
const KernelTable& kernels();

/** Instruction sets this CPU runs, best last: "baseline", "avx2", "avx512". */
bool isa_supported(const char* name);

/** Switches the table (tests and benchmarks); false if the CPU lacks that instruction set. */
bool select_isa(const char* name);

}  // namespace pj::cpu
