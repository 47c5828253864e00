// The LSTM and GRU cells' per-row formulas for float32 (rnn_cell.cpp drives them), for one
// instruction set (see simd.h): one pass over the row, a vector of units at a time, with sigmoid
// and tanh inlined, instead of separate loops and kernel-table calls for each gate. Same formulas
// as rnn_cell.cpp's generic Cell (which serves float64). Sharing one division between the gates
// (through the product of their denominators) measured slower: register pressure, not division,
// bounds these loops.
#include "vmath.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

/** Units [j0, j1) a vector at a time: the full vectors in place, the tail through zero-padded copies. */
template <class F>
PJ_INLINE void units(int64_t j0, int64_t j1, F&& body) {
    int64_t j = j0;
    for (; j + kLanesF <= j1; j += kLanesF) body(j, kLanesF);
    if (j < j1) body(j, j1 - j);
}

/** Loads n <= kLanesF floats (the rest zero). */
PJ_INLINE vf ld(const float* p, int64_t n) {
    if (n == kLanesF) return load<vf>(p);
    float tmp[kLanesF] = {};
    for (int64_t k = 0; k < n; k++) tmp[k] = p[k];
    return load<vf>(tmp);
}

/** Stores the first n <= kLanesF lanes. */
PJ_INLINE void st(float* p, vf v, int64_t n) {
    if (n == kLanesF) return store(p, v);
    float tmp[kLanesF];
    store(tmp, v);
    for (int64_t k = 0; k < n; k++) p[k] = tmp[k];
}

// r: xproj, hproj (4H each), cPrev | gates (4H), c, h.
void lstm_forward(float* const* r, int64_t H, int64_t j0, int64_t j1) {
    const float *xp = r[0], *hp = r[1], *cp = r[2];
    float *gates = r[3], *c = r[4], *h = r[5];
    units(j0, j1, [&](int64_t j, int64_t n) {
        vf i = vsigmoid(ld(xp + j, n) + ld(hp + j, n));
        st(gates + j, i, n);
        vf f = vsigmoid(ld(xp + H + j, n) + ld(hp + H + j, n));
        st(gates + H + j, f, n);
        vf g = vtanh(ld(xp + 2 * H + j, n) + ld(hp + 2 * H + j, n));
        st(gates + 2 * H + j, g, n);
        vf o = vsigmoid(ld(xp + 3 * H + j, n) + ld(hp + 3 * H + j, n));
        st(gates + 3 * H + j, o, n);
        vf cn = f * ld(cp + j, n) + i * g;
        st(c + j, cn, n);
        st(h + j, o * vtanh(cn), n);
    });
}

// r: gates, cPrev, c, dhOut, dhRec, dcNext | dz (4H), dcPrev.
void lstm_backward(float* const* r, int64_t H, int64_t j0, int64_t j1) {
    const float *gates = r[0], *cp = r[1], *c = r[2], *dho = r[3], *dhr = r[4], *dcn = r[5];
    float *dz = r[6], *dcp = r[7];
    units(j0, j1, [&](int64_t j, int64_t n) {
        vf i = ld(gates + j, n), f = ld(gates + H + j, n), g = ld(gates + 2 * H + j, n), o = ld(gates + 3 * H + j, n);
        vf t = vtanh(ld(c + j, n));
        vf dh = ld(dho + j, n) + ld(dhr + j, n);
        vf dc = ld(dcn + j, n) + dh * o * (1.0f - t * t);
        st(dz + j, dc * g * i * (1.0f - i), n);
        st(dz + H + j, dc * ld(cp + j, n) * f * (1.0f - f), n);
        st(dz + 2 * H + j, dc * i * (1.0f - g * g), n);
        st(dz + 3 * H + j, dh * t * o * (1.0f - o), n);
        st(dcp + j, dc * f, n);
    });
}

// GRU (reset_after) r: xproj, hproj, rbias (3H each), hPrev | gates (3H), h.
void gru_forward(float* const* r, int64_t H, int64_t j0, int64_t j1) {
    const float *xp = r[0], *hp = r[1], *rb = r[2], *hprev = r[3];
    float *gates = r[4], *h = r[5];
    units(j0, j1, [&](int64_t j, int64_t n) {
        vf z = vsigmoid(ld(xp + j, n) + ld(hp + j, n) + ld(rb + j, n));
        st(gates + j, z, n);
        vf rr = vsigmoid(ld(xp + H + j, n) + ld(hp + H + j, n) + ld(rb + H + j, n));
        st(gates + H + j, rr, n);
        vf g = vtanh(ld(xp + 2 * H + j, n) + rr * (ld(hp + 2 * H + j, n) + ld(rb + 2 * H + j, n)));
        st(gates + 2 * H + j, g, n);
        st(h + j, z * ld(hprev + j, n) + (1.0f - z) * g, n);
    });
}

// r: gates, hproj, rbias, hPrev, dhOut, dhRec, dhCarry | dxproj, dhproj (3H each), dhCarryOut.
void gru_backward(float* const* r, int64_t H, int64_t j0, int64_t j1) {
    const float *gates = r[0], *hp = r[1], *rb = r[2], *hprev = r[3], *d1 = r[4], *d2 = r[5], *d3 = r[6];
    float *dx = r[7], *dhp = r[8], *carry = r[9];
    units(j0, j1, [&](int64_t j, int64_t n) {
        vf z = ld(gates + j, n), rr = ld(gates + H + j, n), g = ld(gates + 2 * H + j, n);
        vf dh = ld(d1 + j, n) + ld(d2 + j, n) + ld(d3 + j, n);
        vf dn = dh * (1.0f - z) * (1.0f - g * g);
        vf dzp = dh * (ld(hprev + j, n) - g) * z * (1.0f - z);
        vf drp = dn * (ld(hp + 2 * H + j, n) + ld(rb + 2 * H + j, n)) * rr * (1.0f - rr);
        st(dx + j, dzp, n), st(dx + H + j, drp, n), st(dx + 2 * H + j, dn, n);
        st(dhp + j, dzp, n), st(dhp + H + j, drp, n), st(dhp + 2 * H + j, dn * rr, n);
        st(carry + j, dh * z, n);
    });
}

}  // namespace

void fill_rnn(KernelTable* t) {
    t->lstm_forward_f32 = lstm_forward;
    t->lstm_backward_f32 = lstm_backward;
    t->gru_forward_f32 = gru_forward;
    t->gru_backward_f32 = gru_backward;
}

}  // namespace pj::cpu::PJ_ISA_NS
