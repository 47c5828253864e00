// One fused LSTM or GRU time step (org.pyj4.backend.RnnCell): the gate activations and state
// update between the per-step matrix products, in one pass over each batch row instead of a dozen
// elementwise calls. sigmoid and tanh run through the instruction set's vector loops (kernels());
// the arithmetic around them is in the operands' dtype, in vectorised loops (the reference computes
// in double: results differ by a few roundings, within the conformance suite's rnnCell tolerance).
// Operands are rows with any strides; rows whose columns are contiguous are used in place, others
// go through per-row scratch copies. float32 rows go to the kernel table's fused loops
// (simd/rnn_loops.cpp): one vector pass per row with sigmoid and tanh inlined; the generic Cell
// below serves float64.
#include <string.h>

#include <string>
#include <type_traits>
#include <vector>

#include "checks.h"
#include "kernels.h"
#include "pyj4_cpu_layers.h"
#include "thread_pool.h"

using namespace pj;
using namespace pj::cpu;

namespace {

const int kGates[PJ_RNN_CELL_COUNT] = {4, 4, 3, 3};
const int kInputs[PJ_RNN_CELL_COUNT] = {3, 6, 4, 7};
const int kOutputs[PJ_RNN_CELL_COUNT] = {3, 2, 2, 3};
// Operand widths in units of H: inputs then outputs.
const int kWidths[PJ_RNN_CELL_COUNT][10] = {
    {4, 4, 1, 4, 1, 1},
    {4, 1, 1, 1, 1, 1, 4, 1},
    {3, 3, 3, 1, 3, 1},
    {3, 3, 3, 1, 1, 1, 1, 3, 3, 1},
};
const char* const kNames[PJ_RNN_CELL_COUNT][10] = {
    {"xproj", "hproj", "cPrev", "gates", "c", "h"},
    {"gates", "cPrev", "c", "dhOut", "dhRec", "dcNext", "dz", "dcPrev"},
    {"xproj", "hproj", "rbias", "hPrev", "gates", "h"},
    {"gates", "hproj", "rbias", "hPrev", "dhOut", "dhRec", "dhCarry", "dxproj", "dhproj", "dhCarryOut"},
};
const char* const kKindNames[PJ_RNN_CELL_COUNT] = {"LSTM_FORWARD", "LSTM_BACKWARD", "GRU_FORWARD", "GRU_BACKWARD"};

/**
 * Row b of every operand as a contiguous array: a pointer into the operand when its columns are
 * contiguous, else a scratch copy (inputs are copied in by load, outputs copied out by store).
 */
template <class T>
struct RowSet {
    const pj_tensor* const* t;
    int count, inputs;
    std::vector<T> scratch;
    std::vector<int64_t> at;  // scratch offset per operand, -1 when used in place
    T* row[10];

    RowSet(const pj_tensor* const* operands, int n, int nin) : t(operands), count(n), inputs(nin), at(n, -1) {
        int64_t need = 0;
        for (int i = 0; i < n; i++) {
            const int64_t w = operands[i]->shape[1];
            if (w > 1 && operands[i]->strides[1] != 1) at[i] = need, need += w;
        }
        scratch.resize(need > 0 ? need : 1);
    }

    void load(int64_t b) {
        for (int i = 0; i < count; i++) {
            const pj_tensor& o = *t[i];
            T* p = (T*)o.data + o.offset + b * o.strides[0];
            if (at[i] < 0) {
                row[i] = p;
                continue;
            }
            row[i] = scratch.data() + at[i];
            if (i < inputs)
                for (int64_t j = 0; j < o.shape[1]; j++) row[i][j] = p[j * o.strides[1]];
        }
    }

    void store(int64_t b) {
        for (int i = inputs; i < count; i++) {
            if (at[i] < 0) continue;
            const pj_tensor& o = *t[i];
            T* p = (T*)o.data + o.offset + b * o.strides[0];
            for (int64_t j = 0; j < o.shape[1]; j++) p[j * o.strides[1]] = row[i][j];
        }
    }
};

/** out[0..n) = f(in[0..n)) through a vector loop of the kernel table. */
template <class T>
inline void vector_map(Loop f, const T* in, T* out, int64_t n) {
    char* p[2] = {(char*)in, (char*)out};
    const int64_t s[2] = {(int64_t)sizeof(T), (int64_t)sizeof(T)};
    f(p, s, n);
}

/**
 * The per-row formulas. Arithmetic is in T with one operation per line of the formulas, in loops the
 * compiler vectorises (restrict pointers, no branches); sigmoid and tanh go through the kernel
 * table's vector loops. Rows are contiguous here (RowSet copies strided ones).
 */
template <class T>
struct Cell {
    int kind;
    int64_t H;
    Loop sigmoid, tanh;

    // LSTM_FORWARD: 0 xproj, 1 hproj, 2 cPrev | 3 gates, 4 c, 5 h; tmp holds 4H
    void lstm_forward(T** r, T* __restrict tmp) const {
        const T* __restrict xp = r[0];
        const T* __restrict hp = r[1];
        for (int64_t k = 0; k < 4 * H; k++) tmp[k] = xp[k] + hp[k];
        vector_map(sigmoid, tmp, r[3], 2 * H);
        vector_map(tanh, tmp + 2 * H, r[3] + 2 * H, H);
        vector_map(sigmoid, tmp + 3 * H, r[3] + 3 * H, H);
        const T* __restrict i = r[3];
        const T* __restrict f = r[3] + H;
        const T* __restrict g = r[3] + 2 * H;
        const T* __restrict cp = r[2];
        T* __restrict c = r[4];
        for (int64_t j = 0; j < H; j++) c[j] = f[j] * cp[j] + i[j] * g[j];
        vector_map(tanh, c, tmp, H);
        const T* __restrict o = r[3] + 3 * H;
        T* __restrict h = r[5];
        for (int64_t j = 0; j < H; j++) h[j] = o[j] * tmp[j];
    }

    // LSTM_BACKWARD: 0 gates, 1 cPrev, 2 c, 3 dhOut, 4 dhRec, 5 dcNext | 6 dz, 7 dcPrev; tmp holds H
    void lstm_backward(T** r, T* __restrict tmp) const {
        vector_map(tanh, r[2], tmp, H);
        const T* __restrict i = r[0];
        const T* __restrict f = r[0] + H;
        const T* __restrict g = r[0] + 2 * H;
        const T* __restrict o = r[0] + 3 * H;
        const T* __restrict cp = r[1];
        const T* __restrict dho = r[3];
        const T* __restrict dhr = r[4];
        const T* __restrict dcn = r[5];
        T* __restrict dz = r[6];
        T* __restrict dcp = r[7];
        for (int64_t j = 0; j < H; j++) {
            const T dh = dho[j] + dhr[j], t = tmp[j];
            const T dc = dcn[j] + dh * o[j] * (1 - t * t);
            dz[j] = dc * g[j] * i[j] * (1 - i[j]);
            dz[H + j] = dc * cp[j] * f[j] * (1 - f[j]);
            dz[2 * H + j] = dc * i[j] * (1 - g[j] * g[j]);
            dz[3 * H + j] = dh * t * o[j] * (1 - o[j]);
            dcp[j] = dc * f[j];
        }
    }

    // GRU_FORWARD: 0 xproj, 1 hproj, 2 rbias, 3 hPrev | 4 gates, 5 h; tmp holds 3H
    void gru_forward(T** r, T* __restrict tmp) const {
        const T* __restrict xp = r[0];
        const T* __restrict hp = r[1];
        const T* __restrict rb = r[2];
        for (int64_t k = 0; k < 2 * H; k++) tmp[k] = xp[k] + hp[k] + rb[k];
        vector_map(sigmoid, tmp, r[4], 2 * H);
        const T* __restrict rr = r[4] + H;
        for (int64_t j = 0; j < H; j++) tmp[2 * H + j] = xp[2 * H + j] + rr[j] * (hp[2 * H + j] + rb[2 * H + j]);
        vector_map(tanh, tmp + 2 * H, r[4] + 2 * H, H);
        const T* __restrict z = r[4];
        const T* __restrict n = r[4] + 2 * H;
        const T* __restrict hprev = r[3];
        T* __restrict h = r[5];
        for (int64_t j = 0; j < H; j++) h[j] = z[j] * hprev[j] + (1 - z[j]) * n[j];
    }

    // GRU_BACKWARD: 0 gates, 1 hproj, 2 rbias, 3 hPrev, 4 dhOut, 5 dhRec, 6 dhCarry | 7 dxproj, 8 dhproj, 9 dhCarryOut
    void gru_backward(T** r) const {
        const T* __restrict z = r[0];
        const T* __restrict rr = r[0] + H;
        const T* __restrict n = r[0] + 2 * H;
        const T* __restrict hn = r[1] + 2 * H;
        const T* __restrict rbn = r[2] + 2 * H;
        const T* __restrict hprev = r[3];
        const T* __restrict d1 = r[4];
        const T* __restrict d2 = r[5];
        const T* __restrict d3 = r[6];
        T* __restrict dx = r[7];
        T* __restrict dhp = r[8];
        T* __restrict carry = r[9];
        for (int64_t j = 0; j < H; j++) {
            const T dh = d1[j] + d2[j] + d3[j];
            const T dn = dh * (1 - z[j]) * (1 - n[j] * n[j]);
            const T dzp = dh * (hprev[j] - n[j]) * z[j] * (1 - z[j]);
            const T drp = dn * (hn[j] + rbn[j]) * rr[j] * (1 - rr[j]);
            dx[j] = dzp, dx[H + j] = drp, dx[2 * H + j] = dn;
            dhp[j] = dzp, dhp[H + j] = drp, dhp[2 * H + j] = dn * rr[j];
            carry[j] = dh * z[j];
        }
    }
};

template <class T>
void run(int kind, const pj_tensor* const* ops, int count, int dtype) {
    const int64_t B = ops[0]->shape[0];
    Cell<T> cell{kind, ops[0]->shape[1] / kGates[kind], kernels().unary[PJ_SIGMOID][dtype], kernels().unary[PJ_TANH][dtype]};
    // float32 rows: the kernel table's one-pass vector loops.
    RnnRowF32 fused = nullptr;
    if constexpr (std::is_same<T, float>::value) {
        const KernelTable& k = kernels();
        const RnnRowF32 by_kind[PJ_RNN_CELL_COUNT] = {k.lstm_forward_f32, k.lstm_backward_f32, k.gru_forward_f32, k.gru_backward_f32};
        fused = by_kind[kind];
    }
    auto rows = [&](int64_t begin, int64_t end) {
        RowSet<T> set(ops, count, kInputs[kind]);
        std::vector<T> tmp(4 * cell.H + 1);
        for (int64_t b = begin; b < end; b++) {
            set.load(b);
            if (fused != nullptr) {
                fused(reinterpret_cast<float* const*>(set.row), cell.H, 0, cell.H);
                set.store(b);
                continue;
            }
            switch (kind) {
                case PJ_LSTM_FORWARD: cell.lstm_forward(set.row, tmp.data()); break;
                case PJ_LSTM_BACKWARD: cell.lstm_backward(set.row, tmp.data()); break;
                case PJ_GRU_FORWARD: cell.gru_forward(set.row, tmp.data()); break;
                default: cell.gru_backward(set.row);
            }
            set.store(b);
        }
    };
    // Parts of at least ~5-10 us of work: a second thread saves less than its wake-up costs (and on
    // a busy machine a descheduled worker holding a part stalls the caller). Per gate value on one
    // core: the generic loops and the fused forwards take about 1 ns (an LSTM batch of 32 rows of
    // 128 units, 16k values, takes two threads); the fused backwards, with one tanh per unit at most,
    // about 0.3 ns (that batch stays on one thread).
    const int64_t per_row = ops[0]->shape[1] > 0 ? ops[0]->shape[1] : 1;
    const bool backward = kind == PJ_LSTM_BACKWARD || kind == PJ_GRU_BACKWARD;
    const int64_t part_values = fused == nullptr ? 4096 : backward ? 32768 : 8192;
    parallel_for(B, part_values / per_row > 0 ? part_values / per_row : 1, rows);
}

void validate(int kind, const pj_tensor* const* ops, int count) {
    if (kind < 0 || kind >= PJ_RNN_CELL_COUNT)
        fail(PJ_ERR_ARGUMENT, "rnnCell: expected a kind in [0, " + std::to_string(PJ_RNN_CELL_COUNT) + "). Received: " + std::to_string(kind));
    const std::string op = std::string("rnnCell ") + kKindNames[kind];
    const int expected = kInputs[kind] + kOutputs[kind];
    if (ops == nullptr || count != expected)
        fail(PJ_ERR_ARGUMENT, op + ": expected " + std::to_string(expected) + " operands. Received: " + std::to_string(ops == nullptr ? 0 : count));
    for (int i = 0; i < count; i++) check_tensor(op.c_str(), kNames[kind][i], ops[i], i >= kInputs[kind]);
    const pj_tensor& first = *ops[0];
    if (first.rank != 2 || first.shape[1] % kWidths[kind][0] != 0)
        fail(PJ_ERR_SHAPE, op + ": expected " + kNames[kind][0] + " [B, " + std::to_string(kWidths[kind][0]) + "H]. Received: " +
                               kNames[kind][0] + "=" + describe(first));
    if (first.dtype != PJ_FLOAT32 && first.dtype != PJ_FLOAT64)
        fail(PJ_ERR_DTYPE, op + ": expected float32 or float64 operands. Received: " + kNames[kind][0] + "=" + describe(first));
    const int64_t B = first.shape[0], H = first.shape[1] / kWidths[kind][0];
    for (int i = 0; i < count; i++) {
        const pj_tensor& t = *ops[i];
        if (t.rank != 2 || t.shape[0] != B || t.shape[1] != kWidths[kind][i] * H)
            fail(PJ_ERR_SHAPE, op + ": expected " + kNames[kind][i] + " [" + std::to_string(B) + ", " + std::to_string(kWidths[kind][i] * H) +
                                   "] (B=" + std::to_string(B) + ", H=" + std::to_string(H) + "). Received: " + kNames[kind][i] + "=" + describe(t));
        if (t.dtype != first.dtype)
            fail(PJ_ERR_DTYPE, op + ": expected every operand of " + kNames[kind][0] + "'s dtype. Received: " + kNames[kind][i] + "=" + describe(t));
    }
    for (int o = kInputs[kind]; o < count; o++)
        for (int i = 0; i < count; i++)
            if (i != o && numel(*ops[o]) > 0 && numel(*ops[i]) > 0 && ranges_intersect(*ops[o], *ops[i]))
                fail(PJ_ERR_ARGUMENT, op + ": " + kNames[kind][o] + " overlaps " + kNames[kind][i] +
                                          " (an output must not share memory with another operand). Received: " + kNames[kind][o] + "=" +
                                          describe(*ops[o]) + ", " + kNames[kind][i] + "=" + describe(*ops[i]));
}

}  // namespace

extern "C" int pj_cpu_rnn_cell(int32_t kind, const pj_tensor* const* operands, int32_t count) {
    return guarded("rnnCell", [&] {
        validate(kind, operands, count);
        if (numel(*operands[0]) == 0) return;
        if (operands[0]->dtype == PJ_FLOAT32) run<float>(kind, operands, count, PJ_FLOAT32);
        else run<double>(kind, operands, count, PJ_FLOAT64);
    });
}
