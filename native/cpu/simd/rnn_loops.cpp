// The LSTM and GRU cells' per-row formulas for float32 (rnn_cell.cpp drives them), for one instruction set
// (see simd.h): one pass over the row, a vector of units at a time, with sigmoid and tanh inlined,
// instead of separate loops and kernel-table calls for each gate. Same formulas as rnn_cell.cpp's
// generic Cell (which serves float64 and the GRU).
#include "vmath.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

/** One vector of units: the full vectors in place, the tail through zero-padded copies. */
template <class F>
PJ_INLINE void units(int64_t H, F&& body) {
    int64_t j = 0;
    for (; j + kLanesF <= H; j += kLanesF) body(j, kLanesF);
    if (j < H) body(j, H - j);
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

// sigmoid and tanh as numerator / denominator (vmath.h's formulas), so that the four gates share
// one division: their denominators lie in [1, 2] in magnitude, so their product cannot overflow and
// each reciprocal costs two more roundings (well within the cell's tolerance). A NaN denominator
// (NaN input) is replaced by 1: its numerator is NaN too, and the other gates stay unaffected.
PJ_INLINE vf finite_den(vf d) { return vsel(d == d, d, splat<vf>(1.0f)); }

PJ_INLINE vf sigmoid_parts(vf x, vf* den) {
    vf e = vexp(-vabs(x));
    *den = finite_den(1.0f + e);
    return vsel(x >= 0.0f, splat<vf>(1.0f), e);
}

/** tanh(|x|) = e / (-2 - e) with e = expm1(-2|x|); the caller applies x's sign. */
PJ_INLINE vf tanh_parts(vf x, vf* den) {
    vf e = vexpm1_nonpositive(-2.0f * vabs(x));
    *den = finite_den(-2.0f - e);
    return e;
}

PJ_INLINE vf with_sign_of(vf t, vf x) { return vbits((vint(t) & 0x7fffffff) | (vint(x) & (int32_t)0x80000000)); }

// r: xproj, hproj (4H each), cPrev | gates (4H), c, h.
void lstm_forward(float* const* r, int64_t H) {
    const float *xp = r[0], *hp = r[1], *cp = r[2];
    float *gates = r[3], *c = r[4], *h = r[5];
    units(H, [&](int64_t j, int64_t n) {
        vf zg = ld(xp + 2 * H + j, n) + ld(hp + 2 * H + j, n);
        vf di, df, dg, dout;
        vf ni = sigmoid_parts(ld(xp + j, n) + ld(hp + j, n), &di);
        vf nf = sigmoid_parts(ld(xp + H + j, n) + ld(hp + H + j, n), &df);
        vf ng = tanh_parts(zg, &dg);
        vf no = sigmoid_parts(ld(xp + 3 * H + j, n) + ld(hp + 3 * H + j, n), &dout);
        vf p1 = di * df, p2 = dg * dout;
        vf inv = 1.0f / (p1 * p2);
        vf i = ni * (inv * p2 * df), f = nf * (inv * p2 * di);
        vf g = with_sign_of(ng * (inv * p1 * dout), zg), o = no * (inv * p1 * dg);
        st(gates + j, i, n), st(gates + H + j, f, n), st(gates + 2 * H + j, g, n), st(gates + 3 * H + j, o, n);
        vf cn = f * ld(cp + j, n) + i * g;
        st(c + j, cn, n);
        vf dc;
        vf nc = tanh_parts(cn, &dc);
        st(h + j, o * with_sign_of(nc / dc, cn), n);
    });
}

// r: gates, cPrev, c, dhOut, dhRec, dcNext | dz (4H), dcPrev.
void lstm_backward(float* const* r, int64_t H) {
    const float *gates = r[0], *cp = r[1], *c = r[2], *dho = r[3], *dhr = r[4], *dcn = r[5];
    float *dz = r[6], *dcp = r[7];
    units(H, [&](int64_t j, int64_t n) {
        vf i = ld(gates + j, n), f = ld(gates + H + j, n), g = ld(gates + 2 * H + j, n), o = ld(gates + 3 * H + j, n);
        vf t = vtanh(ld(c + j, n));  // the one transcendental: a plain division is fine
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
void gru_forward(float* const* r, int64_t H) {
    const float *xp = r[0], *hp = r[1], *rb = r[2], *hprev = r[3];
    float *gates = r[4], *h = r[5];
    units(H, [&](int64_t j, int64_t n) {
        vf dz, dr, dn;
        vf nz = sigmoid_parts(ld(xp + j, n) + ld(hp + j, n) + ld(rb + j, n), &dz);
        vf nr = sigmoid_parts(ld(xp + H + j, n) + ld(hp + H + j, n) + ld(rb + H + j, n), &dr);
        vf inv = 1.0f / (dz * dr);
        vf z = nz * (inv * dr), rr = nr * (inv * dz);
        vf zn = ld(xp + 2 * H + j, n) + rr * (ld(hp + 2 * H + j, n) + ld(rb + 2 * H + j, n));
        vf nn = tanh_parts(zn, &dn);
        vf g = with_sign_of(nn / dn, zn);
        st(gates + j, z, n), st(gates + H + j, rr, n), st(gates + 2 * H + j, g, n);
        st(h + j, z * ld(hprev + j, n) + (1.0f - z) * g, n);
    });
}

// r: gates, hproj, rbias, hPrev, dhOut, dhRec, dhCarry | dxproj, dhproj (3H each), dhCarryOut.
void gru_backward(float* const* r, int64_t H) {
    const float *gates = r[0], *hp = r[1], *rb = r[2], *hprev = r[3], *d1 = r[4], *d2 = r[5], *d3 = r[6];
    float *dx = r[7], *dhp = r[8], *carry = r[9];
    units(H, [&](int64_t j, int64_t n) {
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
