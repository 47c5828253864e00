// Vectorised float32 exp, log, tanh and sigmoid, accurate to a few ulps (Cephes' polynomials for
// exp and log, Taylor's for expm1; range reduction in float, exact scaling by powers of two). Branch-free: special values are
// blended in at the end, so every lane runs the same instructions. Compiled with FMA contraction
// allowed, so the polynomials use FMA where the instruction set has it.
#pragma once

#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {

PJ_INLINE vf vbits(vi x) { return (vf)x; }
PJ_INLINE vi vint(vf x) { return (vi)x; }
PJ_INLINE vf vabs(vf x) { return vbits(vint(x) & 0x7fffffff); }
PJ_INLINE vf vsel(vi mask, vf a, vf b) { return mask ? a : b; }

/**
 * y * 2^n for integer n in [-252, 254] (n_float: the same n as a float). AVX-512 has one
 * instruction for it; elsewhere a product of two normal powers of two, so that a subnormal
 * result is rounded once.
 */
PJ_INLINE vf scale_pow2(vf y, vi n, vf n_float) {
#if defined(__AVX512F__) && !defined(PJ_FORCE_VEC_BYTES)
    (void)n;
    return (vf)_mm512_scalef_ps((__m512)y, (__m512)n_float);
#else
    (void)n_float;
    vi n1 = n >> 1, n2 = n - n1;
    return y * vbits((n1 + 127) << 23) * vbits((n2 + 127) << 23);
#endif
}

PJ_INLINE vf vexp(vf x) {
    // Beyond these, exp is inf / rounds to 0; clamping keeps the integer part small. NaN passes.
    vf xc = vsel(x > 88.75f, splat<vf>(88.75f), x);
    xc = vsel(xc < -104.0f, splat<vf>(-104.0f), xc);
    const vf magic = splat<vf>(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer in the low bits
    vf t = xc * 1.44269504088896341f + magic;
    vf n = t - magic;
    vi ni = vint(t) - 0x4B400000;
    vf r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    vf p = 1.9875691500E-4f * r + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    vf y = p * (r * r) + r + 1.0f;
    return scale_pow2(y, ni, n);
}

PJ_INLINE vf vlog(vf x) {
    // Subnormal inputs are scaled into the normal range first.
    vi tiny = x < 1.17549435e-38f;
    vf xs = vsel(tiny, x * 8388608.0f, x);
    vi bits = vint(xs);
    vi e = ((bits >> 23) & 0xff) - 126 - (tiny & 23);
    vf m = vbits((bits & 0x007fffff) | 0x3f000000);  // mantissa in [0.5, 1)
    vi small = m < 0.707106781186547524f;
    e = e + small;  // small lanes are -1 (true): e - 1
    vf f = vsel(small, m + m - 1.0f, m - 1.0f);
    vf fe = __builtin_convertvector(e, vf);
    vf z = f * f;
    vf y = 7.0376836292E-2f * f - 1.1514610310E-1f;
    y = y * f + 1.1676998740E-1f;
    y = y * f - 1.2420140846E-1f;
    y = y * f + 1.4249322787E-1f;
    y = y * f - 1.6668057665E-1f;
    y = y * f + 2.0000714765E-1f;
    y = y * f - 2.4999993993E-1f;
    y = y * f + 3.3333331174E-1f;
    y = y * f * z;
    y = y + fe * -2.12194440e-4f;
    y = y - 0.5f * z;
    vf result = f + y + fe * 0.693359375f;
    const float inf = __builtin_inff(), nan = __builtin_nanf("");
    result = vsel(x == 0.0f, splat<vf>(-inf), result);
    result = vsel(x < 0.0f, splat<vf>(nan), result);
    result = vsel(x == inf, splat<vf>(inf), result);
    return vsel(x != x, x, result);
}

/**
 * expm1(y) for y <= 0, accurate near 0 (no cancellation): y = n ln2 + r with |r| <= ln2/2,
 * expm1(r) by its Taylor polynomial to r^7 (truncation below 0.2 ulp), then
 * expm1(y) = 2^n expm1(r) + (2^n - 1). Inputs below -20 give -1 (as tanh needs, nothing more).
 */
PJ_INLINE vf vexpm1_nonpositive(vf y) {
    y = vsel(y < -20.0f, splat<vf>(-20.0f), y);
    const vf magic = splat<vf>(12582912.0f);
    vf t = y * 1.44269504088896341f + magic;
    vf n = t - magic;
    vi ni = vint(t) - 0x4B400000;
    vf r = y - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    vf p = 1.98412698e-4f * r + 1.38888889e-3f;  // 1/5040, 1/720
    p = p * r + 8.33333333e-3f;                  // 1/120
    p = p * r + 4.16666667e-2f;                  // 1/24
    p = p * r + 1.66666667e-1f;                  // 1/6
    p = p * r + 0.5f;
    p = p * (r * r) + r;                         // expm1(r)
    vf two_n = vbits((ni + 127) << 23);          // n >= -29: a normal float
    return p * two_n + (two_n - 1.0f);
}

/**
 * tanh(|x|) = e / (-2 - e) with e = expm1(-2|x|) in (-1, 0]: one expm1, one division, no
 * cancellation; then the sign of x (tanh is odd). NaN flows through every step unchanged.
 */
PJ_INLINE vf vtanh(vf x) {
    vf e = vexpm1_nonpositive(-2.0f * vabs(x));
    vf t = e / (-2.0f - e);
    return vbits((vint(t) & 0x7fffffff) | (vint(x) & (int32_t)0x80000000));
}

PJ_INLINE vf vsigmoid(vf x) {
    // With e = exp(-|x|): 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, both free of overflow.
    vf e = vexp(-vabs(x));
    vf num = vsel(x >= 0.0f, splat<vf>(1.0f), e);
    return num / (1.0f + e);
}

}  // namespace pj::cpu::PJ_ISA_NS
