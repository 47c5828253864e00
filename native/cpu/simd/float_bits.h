// Bit-level helpers on float vectors of either precision: absolute value, sign transfer, and the
// rounding functions built from the "add 2^mantissa-bits" trick (exact for every finite input).
#pragma once

#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {

template <class T> struct FloatInfo;
template <> struct FloatInfo<float> {
    typedef int32_t Int;
    static constexpr float kIntegral = 8388608.0f;  // 2^23: every float at or above is an integer
};
template <> struct FloatInfo<double> {
    typedef int64_t Int;
    static constexpr double kIntegral = 4503599627370496.0;  // 2^52
};

template <class T> using ivec = vec<typename FloatInfo<T>::Int>;

template <class T>
PJ_INLINE vec<T> vabs_t(vec<T> x) {
    typedef typename FloatInfo<T>::Int I;
    const I mask = (I)(~((uint64_t)1 << (8 * sizeof(T) - 1)));
    return (vec<T>)((ivec<T>)x & mask);
}

/** |magnitude| with the sign bit of sign. */
template <class T>
PJ_INLINE vec<T> vcopysign(vec<T> magnitude, vec<T> sign) {
    typedef typename FloatInfo<T>::Int I;
    const I bit = (I)((uint64_t)1 << (8 * sizeof(T) - 1));
    return (vec<T>)(((ivec<T>)vabs_t<T>(magnitude)) | ((ivec<T>)sign & bit));
}

/** Round half to even (rint), keeping the sign of zero; NaN and inf pass through. */
template <class T>
PJ_INLINE vec<T> vround_even(vec<T> x) {
    const T big = FloatInfo<T>::kIntegral;
    vec<T> ax = vabs_t<T>(x);
    vec<T> r = vcopysign<T>((ax + big) - big, x);
    return ax < big ? r : x;
}

template <class T>
PJ_INLINE vec<T> vfloor(vec<T> x) {
    vec<T> r = vround_even<T>(x);
    return r > x ? r - (T)1 : r;
}

/** -floor(-x): keeps Java's sign of zero (ceil(-0.5) = -0.0). */
template <class T>
PJ_INLINE vec<T> vceil(vec<T> x) {
    return -vfloor<T>(-x);
}

/**
 * Java's Math.max / Math.min on float vectors (kMax picks which): NaN if either is NaN, and of
 * two zeros max gives +0.0, min gives -0.0 (a bitwise and / or of the two).
 */
template <bool kMax, class T>
PJ_INLINE vec<T> vjava_extreme(vec<T> a, vec<T> b) {
    typedef ivec<T> I;
    vec<T> r = (kMax ? a > b : a < b) ? a : b;
    vec<T> zeros = kMax ? (vec<T>)((I)a & (I)b) : (vec<T>)((I)a | (I)b);
    r = a == b ? zeros : r;
    r = a != a ? a : r;
    return b != b ? b : r;
}

/** The same on scalars of any type (integers: plain max/min). */
template <bool kMax, class T>
PJ_INLINE T java_extreme(T a, T b) {
    if constexpr (sizeof(T) >= 4 && T(0.5) != T(0)) {  // float or double
        if (a != a) return a;
        if (b != b) return b;
        if (a == b) {
            typedef typename FloatInfo<T>::Int I;
            I ia, ib;
            __builtin_memcpy(&ia, &a, sizeof a);
            __builtin_memcpy(&ib, &b, sizeof b);
            I r = kMax ? (ia & ib) : (ia | ib);
            T out;
            __builtin_memcpy(&out, &r, sizeof out);
            return out;
        }
    }
    return (kMax ? a > b : a < b) ? a : b;
}

}  // namespace pj::cpu::PJ_ISA_NS
