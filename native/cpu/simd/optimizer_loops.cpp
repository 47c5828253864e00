// Fused optimizer updates on float32 tensors (org.pyj4.backend.OptimizerKind), for one instruction
// set (see simd.h): param, grad and state are streamed once, a vector at a time. Every stored value
// must stay within about one rounding of the reference backend's, which computes in double and
// rounds once per stored value: a parameter is often the sum of terms larger than itself, so a few
// float32 roundings per update would add up to many of its own.
//  - Adam, the hot one, stays in float32 with fused multiply-adds: each stored value is one rounding
//    of an exact expression, but for the step size, whose few roundings are relative to the step.
//  - SGD, RMSprop and Adagrad compute their linear parts in double (their square root and division,
//    relative to the step again, in float32).
// Centered RMSprop is not here: its v - a * a cancels (optimizer.cpp does it in double).
// Double vectors twice the native width (vdw below) never cross a call: every helper is inlined.
#pragma GCC diagnostic ignored "-Wpsabi"

#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

typedef double vdw __attribute__((vector_size(kVecBytes * 2)));  // kLanesF doubles: a vf, widened

PJ_INLINE vdw wide(vf x) { return __builtin_convertvector(x, vdw); }
PJ_INLINE vf narrow(vdw x) { return __builtin_convertvector(x, vf); }
PJ_INLINE double wide(float x) { return x; }
PJ_INLINE float narrow(double x) { return (float)x; }

/** a * b + c rounded once: the FMA instruction, or exact in double where the ISA has none. */
PJ_INLINE float fmadd(float a, float b, float c) {
#if defined(__FMA__)
    return __builtin_fmaf(a, b, c);
#else
    return (float)((double)a * b + c);
#endif
}

PJ_INLINE vf fmadd(vf a, vf b, vf c) {
#if defined(__AVX512F__) || defined(__FMA__)
#if defined(__AVX512F__)
    typedef __m512 NF;
#else
    typedef __m256 NF;
#endif
    constexpr int piece = sizeof(NF);
    vf out;
    for (int at = 0; at < (int)sizeof(vf); at += piece) {  // a wider vf (tests) goes in pieces
        NF x, y, z;
        __builtin_memcpy(&x, (char*)&a + at, piece);
        __builtin_memcpy(&y, (char*)&b + at, piece);
        __builtin_memcpy(&z, (char*)&c + at, piece);
#if defined(__AVX512F__)
        x = _mm512_fmadd_ps(x, y, z);
#else
        x = _mm256_fmadd_ps(x, y, z);
#endif
        __builtin_memcpy((char*)&out + at, &x, piece);
    }
    return out;
#else
    return narrow(wide(a) * wide(b) + wide(c));
#endif
}

PJ_INLINE float root(float x) { return __builtin_sqrtf(x); }
PJ_INLINE vf root(vf x) { return vsqrt(x); }

/** Math.max(old, v): old when it is larger or NaN, else v (NaN in v propagates too). */
PJ_INLINE float max_nan(float old, float v) { return old > v || old != old ? old : v; }
PJ_INLINE vf max_nan(vf old, vf v) { return (old > v) | (old != old) ? old : v; }

template <class V>
PJ_INLINE V ld(const float* p) {
    if constexpr (sizeof(V) == sizeof(float)) return *p;
    else return load<V>(p);
}

template <class V>
PJ_INLINE void st(float* p, V v) {
    if constexpr (sizeof(V) == sizeof(float)) *p = v;
    else store(p, v);
}

template <class T, class V>
PJ_INLINE V bcast(T x) {
    if constexpr (sizeof(V) == sizeof(T)) return x;
    else return splat<V>(x);
}

/**
 * One update of the elements at i: a vector's worth for (V, W) = (vf, vdw), one element for
 * (float, double). V holds float32 values, W the same lanes in double.
 */
template <class V, class W>
struct Update {
    const OptimizerStepF32& o;
    W lr, wdlr, c0, c1, c2;  // per kind, see the constructor
    V lr_f, eps_f, alpha_f, wdlr_f, c0_f, c1_f;
    bool decay;

    explicit Update(const OptimizerStepF32& step) : o(step) {
        const double* h = step.h;
        lr = bcast<double, W>(h[0]);
        wdlr = bcast<double, W>(h[1] * h[0]);
        decay = h[1] != 0;
        lr_f = bcast<float, V>((float)h[0]);
        wdlr_f = bcast<float, V>((float)(h[1] * h[0]));
        alpha_f = bcast<float, V>((float)step.alpha);
        c0 = c1 = c2 = bcast<double, W>(0.0);
        eps_f = c0_f = c1_f = bcast<float, V>(0.0f);
        switch (step.kind) {
            case 0: c0 = bcast<double, W>(h[2]); break;  // SGD: momentum
            case 1:  // Adam: 1 - beta1, 1 - beta2 (float32 only)
                c0_f = bcast<float, V>((float)(1 - h[2])), c1_f = bcast<float, V>((float)(1 - h[3]));
                eps_f = bcast<float, V>((float)h[4]);
                break;
            case 2:  // RMSprop: rho, 1 - rho, momentum
                c0 = bcast<double, W>(h[2]), c1 = bcast<double, W>(1 - h[2]), c2 = bcast<double, W>(h[3]);
                eps_f = bcast<float, V>((float)h[4]);
                break;
            default: eps_f = bcast<float, V>((float)h[2]);  // Adagrad
        }
    }

    /** The parameter after weight decay (p - p * wd * lr, rounded as stored), in double. */
    PJ_INLINE W weight(int64_t i) const {
        W w = wide(ld<V>(o.p + i));
        return decay ? wide(narrow(w - w * wdlr)) : w;
    }

    PJ_INLINE void sgd(int64_t i, bool momentum, bool nesterov) const {
        W w = weight(i), g = wide(ld<V>(o.g + i));
        if (!momentum) {
            st(o.p + i, narrow(w - lr * g));
            return;
        }
        V v = narrow(c0 * wide(ld<V>(o.s[0] + i)) - lr * g);
        st(o.s[0] + i, v);
        W vw = wide(v);
        st(o.p + i, narrow(nesterov ? w + c0 * vw - lr * g : w + vw));
    }

    PJ_INLINE void adam(int64_t i, bool amsgrad) const {
        V w = ld<V>(o.p + i), g = ld<V>(o.g + i), m = ld<V>(o.s[0] + i), v = ld<V>(o.s[1] + i);
        if (decay) w = fmadd(-w, wdlr_f, w);
        m = fmadd(g - m, c0_f, m);       // m + (g - m) * (1 - beta1)
        v = fmadd(fmadd(g, g, -v), c1_f, v);  // v + (g * g - v) * (1 - beta2)
        st(o.s[0] + i, m);
        st(o.s[1] + i, v);
        if (amsgrad) {
            v = max_nan(ld<V>(o.s[2] + i), v);
            st(o.s[2] + i, v);
        }
        st(o.p + i, w - alpha_f * m / (root(v) + eps_f));
    }

    PJ_INLINE void rmsprop(int64_t i, float* momentum_buffer) const {  // not centered
        V gf = ld<V>(o.g + i);
        W w = weight(i), g = wide(gf);
        V v = narrow(c0 * wide(ld<V>(o.s[0] + i)) + c1 * g * g);
        st(o.s[0] + i, v);
        V increment = lr_f * gf / root(v + eps_f);
        if (momentum_buffer != nullptr) {
            V mb = narrow(c2 * wide(ld<V>(momentum_buffer + i)) + wide(increment));
            st(momentum_buffer + i, mb);
            st(o.p + i, narrow(w - wide(mb)));
        } else {
            st(o.p + i, narrow(w - wide(increment)));
        }
    }

    PJ_INLINE void adagrad(int64_t i) const {
        V gf = ld<V>(o.g + i);
        W w = weight(i), g = wide(gf);
        V a = narrow(wide(ld<V>(o.s[0] + i)) + g * g);
        st(o.s[0] + i, a);
        st(o.p + i, narrow(w - wide(lr_f * gf / root(a + eps_f))));
    }
};

void optimizer_f32(const OptimizerStepF32* step, int64_t begin, int64_t end) {
    const OptimizerStepF32& o = *step;
    const Update<vf, vdw> vec(o);
    const Update<float, double> one(o);
    int64_t i = begin;
    const int64_t vec_end = begin + (end - begin) / kLanesF * kLanesF;
    switch (o.kind) {
        case 0: {
            const bool momentum = o.h[2] != 0, nesterov = o.h[3] != 0;
            for (; i < vec_end; i += kLanesF) vec.sgd(i, momentum, nesterov);
            for (; i < end; i++) one.sgd(i, momentum, nesterov);
            break;
        }
        case 1: {
            const bool amsgrad = o.h[6] != 0;
            for (; i < vec_end; i += kLanesF) vec.adam(i, amsgrad);
            for (; i < end; i++) one.adam(i, amsgrad);
            break;
        }
        case 2: {
            float* momentum_buffer = o.h[3] > 0 ? o.s[1] : nullptr;
            for (; i < vec_end; i += kLanesF) vec.rmsprop(i, momentum_buffer);
            for (; i < end; i++) one.rmsprop(i, momentum_buffer);
            break;
        }
        default:
            for (; i < vec_end; i += kLanesF) vec.adagrad(i);
            for (; i < end; i++) one.adagrad(i);
    }
}

}  // namespace

void fill_optimizer(KernelTable* t) { t->optimizer_f32 = optimizer_f32; }

}  // namespace pj::cpu::PJ_ISA_NS
