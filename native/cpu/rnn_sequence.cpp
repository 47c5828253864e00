// An LSTM over a whole sequence in one call (org.pyj4.backend.Backend#lstmSequence and
// #lstmSequenceGrad), float32: the same steps as the SPI's per-step definition (h_prev @ U, then one
// cell), arranged for a small recurrent product that repeats T times.
//
// Each step is one parallel loop over blocks of [rows x units]: a block multiplies h_prev by the
// columns of U that feed its units (one product per gate) and runs the cell on those units at once,
// while the product's output is still in cache. Blocks of one step are independent, so a step needs
// one fork/join instead of two calls (product, then cell) each with its own, and no JNI or Java
// work per step. Blocks depend only on the shape, never on the thread count: every element is
// computed the same way with any number of threads. Backward is the mirror image: a block forms
// its units' share of dz_{i+1} @ U^T, then the cell backward of those units.
//
// Operands are [T, B, W] with contiguous rows (unit column stride); CpuBackend sends everything
// else (float64, other layouts) through the SPI's per-step default.
#include <limits.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checks.h"
#include "kernels.h"
#include "pyj4_cpu_layers.h"
#include "thread_pool.h"

using namespace pj;
using namespace pj::cpu;

namespace {

// Units per block: a multiple of the vector width; H = 128 gives two blocks, one per core.
constexpr int64_t kUnitBlock = 64;
// Rows per block: large batches are cut by rows too, so that small H still finds parallel work.
constexpr int64_t kRowBlock = 64;

/** A float32 [T, B, W] (or [B, W], step stride 0) operand whose rows are contiguous. */
struct Rows {
    float* base;
    int64_t step, row;  // element strides
    float* at(int64_t i, int64_t b) const { return base + i * step + b * row; }
};

Rows rows_of(const pj_tensor& t) {
    float* base = static_cast<float*>(t.data) + t.offset;
    if (t.rank == 2) return {base, 0, t.strides[0]};
    return {base, t.strides[0], t.strides[1]};
}

/** The block grid of a [B, H] step: row blocks x unit blocks, by shape only. */
struct Grid {
    int64_t B, H, row_blocks, unit_blocks;
    Grid(int64_t b, int64_t h)
        : B(b), H(h), row_blocks((b + kRowBlock - 1) / kRowBlock), unit_blocks((h + kUnitBlock - 1) / kUnitBlock) {}
    int64_t count() const { return row_blocks * unit_blocks; }
    /** Block index -> rows [b0, b1) and units [j0, j1). */
    void range(int64_t index, int64_t* b0, int64_t* b1, int64_t* j0, int64_t* j1) const {
        *b0 = index / unit_blocks * kRowBlock, *b1 = std::min(B, *b0 + kRowBlock);
        *j0 = index % unit_blocks * kUnitBlock, *j1 = std::min(H, *j0 + kUnitBlock);
    }
};

/** Runs block(b0, b1, j0, j1) for every block of the grid, blocks shared out over the pool. */
template <class F>
void each_block(const Grid& grid, F&& block) {
    auto body = [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; k++) {
            int64_t b0, b1, j0, j1;
            grid.range(k, &b0, &b1, &j0, &j1);
            block(b0, b1, j0, j1);
        }
    };
    parallel_for(grid.count(), 1, body);
}

void forward(const pj_tensor& xproj, const pj_tensor& u, const pj_tensor& gates, const pj_tensor& c, const pj_tensor& h) {
    const int64_t T = xproj.shape[0], B = xproj.shape[1], H = u.shape[0], G = 4 * H;
    const Rows xp = rows_of(xproj), gt = rows_of(gates), cs = rows_of(c), hs = rows_of(h);
    const float* U = static_cast<const float*>(u.data) + u.offset;
    const int64_t ldu = u.strides[0];
    const RnnRowF32 cell = kernels().lstm_forward_f32;
    const GemmSmallF32 product = kernels().gemm_small_f32;
    std::vector<float> hproj(B * G), zeros(G, 0.0f);
    const Grid grid(B, H);
    for (int64_t i = 0; i < T; i++) {
        each_block(grid, [&](int64_t b0, int64_t b1, int64_t j0, int64_t j1) {
            if (i > 0) {
                for (int g = 0; g < 4; g++)
                    product(b1 - b0, j1 - j0, H, hs.at(i - 1, b0), hs.row, U + g * H + j0, ldu, &hproj[b0 * G + g * H + j0], G);
            }
            for (int64_t b = b0; b < b1; b++) {
                float* r[6] = {xp.at(i, b), i > 0 ? &hproj[b * G] : zeros.data(), i > 0 ? cs.at(i - 1, b) : zeros.data(),
                               gt.at(i, b), cs.at(i, b), hs.at(i, b)};
                cell(r, H, j0, j1);
            }
        });
    }
}

void backward(const pj_tensor& gates, const pj_tensor& c, const pj_tensor& u, const pj_tensor& dh, const pj_tensor& dc_last,
              const pj_tensor& dz) {
    const int64_t T = gates.shape[0], B = gates.shape[1], H = u.shape[0], G = 4 * H;
    const Rows gt = rows_of(gates), cs = rows_of(c), dhs = rows_of(dh), dcl = rows_of(dc_last), dzs = rows_of(dz);
    const RnnRowF32 cell = kernels().lstm_backward_f32;
    const GemmSmallF32 product = kernels().gemm_small_f32;
    // u^T [4H, H] row-major, once: every step's dz_{i+1} @ u^T then reads it as the forward reads u.
    std::vector<float> ut(G * H);
    const float* U = static_cast<const float*>(u.data) + u.offset;
    for (int64_t j = 0; j < H; j++)
        for (int64_t p = 0; p < G; p++) ut[p * H + j] = U[j * u.strides[0] + p];
    // dhRec = dz_{i+1} @ U^T; the cell carries dc through two alternating buffers.
    std::vector<float> dh_rec(B * H), dc[2] = {std::vector<float>(B * H), std::vector<float>(B * H)}, zeros(H, 0.0f);
    const Grid grid(B, H);
    for (int64_t i = T - 1; i >= 0; i--) {
        const int out = (int)((T - 1 - i) % 2);
        each_block(grid, [&](int64_t b0, int64_t b1, int64_t j0, int64_t j1) {
            if (i < T - 1) product(b1 - b0, j1 - j0, G, dzs.at(i + 1, b0), dzs.row, &ut[j0], H, &dh_rec[b0 * H + j0], H);
            for (int64_t b = b0; b < b1; b++) {
                float* r[8] = {gt.at(i, b), i > 0 ? cs.at(i - 1, b) : zeros.data(), cs.at(i, b), dhs.at(i, b),
                               i < T - 1 ? &dh_rec[b * H] : zeros.data(), i < T - 1 ? &dc[1 - out][b * H] : dcl.at(0, b),
                               dzs.at(i, b), &dc[out][b * H]};
                cell(r, H, j0, j1);
            }
        });
    }
}

/** Rows contiguous and apart (BLAS' leading dimension), every stride and extent within BLAS' int. */
bool rows_ok(const pj_tensor& t) {
    const int w = t.rank - 1;
    if (t.shape[w] > 1 && t.strides[w] != 1) return false;
    if (t.shape[w - 1] > 1 && t.strides[w - 1] < t.shape[w]) return false;
    for (int d = 0; d < t.rank; d++)
        if (t.shape[d] > INT_MAX || t.strides[d] < 0 || t.strides[d] > INT_MAX) return false;
    return true;
}

/**
 * Checks operands (names[k] of ops[k], the first `inputs` read): descriptors, float32, the shapes
 * [T, B, widths[k] * H] (width 0: [H, 4H], the recurrent kernel; negative: [B, -width * H]) with H
 * from the kernel, contiguous rows, and outputs that overlap nothing else.
 */
void validate(const char* op, const pj_tensor* const* ops, const char* const* names, const int* widths, int count, int inputs) {
    for (int k = 0; k < count; k++) check_tensor(op, names[k], ops[k], k >= inputs);
    const pj_tensor* u = nullptr;
    const pj_tensor* seq = nullptr;
    for (int k = 0; k < count; k++) {
        if (widths[k] == 0) u = ops[k];
        else if (widths[k] > 0 && seq == nullptr) seq = ops[k];
    }
    auto all = [&] {
        std::string s;
        for (int k = 0; k < count; k++) s += std::string(k ? ", " : "") + names[k] + "=" + describe(*ops[k]);
        return s;
    };
    if (u->rank != 2 || u->shape[1] != 4 * u->shape[0] || seq->rank != 3)
        fail(PJ_ERR_SHAPE, std::string(op) + ": expected u [H, 4H] and [T, B, ...] sequences. Received: " + all());
    const int64_t H = u->shape[0], T = seq->shape[0], B = seq->shape[1];
    for (int k = 0; k < count; k++) {
        const pj_tensor& t = *ops[k];
        bool ok = widths[k] == 0 || (widths[k] > 0 ? t.rank == 3 && t.shape[0] == T && t.shape[1] == B && t.shape[2] == widths[k] * H
                                                  : t.rank == 2 && t.shape[0] == B && t.shape[1] == -widths[k] * H);
        if (!ok)
            fail(PJ_ERR_SHAPE, std::string(op) + ": expected " + names[k] + " of shape [" +
                                   (widths[k] > 0 ? std::to_string(T) + ", " : "") + std::to_string(B) + ", " +
                                   std::to_string(std::abs(widths[k]) * H) + "] (T=" + std::to_string(T) + ", B=" + std::to_string(B) +
                                   ", H=" + std::to_string(H) + "). Received: " + all());
        if (t.dtype != PJ_FLOAT32) fail(PJ_ERR_DTYPE, std::string(op) + ": expected float32 operands. Received: " + all());
        if (!rows_ok(t))
            fail(PJ_ERR_ARGUMENT, std::string(op) + ": expected operands with contiguous rows (unit stride along the last axis, "
                                                    "rows apart, strides within int32); other layouts take the per-step path. Received: " + all());
    }
    if (B * 4 * H > INT_MAX) fail(PJ_ERR_SHAPE, std::string(op) + ": a step's [B, 4H] exceeds 2^31 elements. Received: " + all());
    for (int o = inputs; o < count; o++)
        for (int k = 0; k < count; k++)
            if (k != o && numel(*ops[o]) > 0 && numel(*ops[k]) > 0 && ranges_intersect(*ops[o], *ops[k]))
                fail(PJ_ERR_ARGUMENT, std::string(op) + ": " + names[o] + " overlaps " + names[k] +
                                          " (an output must not share memory with another operand). Received: " + all());
}

}  // namespace

extern "C" int pj_cpu_lstm_sequence(const pj_tensor* xproj, const pj_tensor* u, const pj_tensor* gates, const pj_tensor* c,
                                    const pj_tensor* h) {
    return guarded("lstmSequence", [&] {
        const pj_tensor* ops[5] = {xproj, u, gates, c, h};
        const char* names[5] = {"xproj", "u", "gates", "c", "h"};
        const int widths[5] = {4, 0, 4, 1, 1};
        validate("lstmSequence", ops, names, widths, 5, 2);
        if (numel(*xproj) == 0 || u->shape[0] == 0) return;
        forward(*xproj, *u, *gates, *c, *h);
    });
}

extern "C" int pj_cpu_lstm_sequence_grad(const pj_tensor* gates, const pj_tensor* c, const pj_tensor* u, const pj_tensor* dh,
                                         const pj_tensor* dc_last, const pj_tensor* dz) {
    return guarded("lstmSequenceGrad", [&] {
        const pj_tensor* ops[6] = {gates, c, u, dh, dc_last, dz};
        const char* names[6] = {"gates", "c", "u", "dh", "dcLast", "dz"};
        const int widths[6] = {4, 1, 0, 1, -1, 4};
        validate("lstmSequenceGrad", ops, names, widths, 6, 5);
        if (numel(*gates) == 0 || u->shape[0] == 0) return;
        backward(*gates, *c, *u, *dh, *dc_last, *dz);
    });
}
