// Scalar conversions between float32/float64 and the 16-bit floats (IEEE float16, bfloat16),
// rounding to nearest even. `static inline` on purpose: this header is also compiled into the
// per-ISA kernel files, and internal linkage keeps each copy with the flags of its own file.
#pragma once

#include <stdint.h>
#include <string.h>

static inline float pj_bits_to_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t pj_f32_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* Rounds d to a float of `ebits` exponent and `mbits` mantissa bits; returns its bit pattern. */
static inline uint32_t pj_f64_to_small_float(double d, int ebits, int mbits) {
    uint64_t x;
    memcpy(&x, &d, 8);
    const uint32_t sign = (uint32_t)(x >> 63) << (ebits + mbits);
    const uint64_t ax = x & 0x7fffffffffffffffull;
    const uint32_t inf = ((1u << ebits) - 1u) << mbits;
    if (ax >= 0x7ff0000000000000ull) {  // inf, or NaN kept quiet with its top payload bits
        if (ax == 0x7ff0000000000000ull) return sign | inf;
        return sign | inf | (1u << (mbits - 1)) | (uint32_t)((ax >> (52 - mbits)) & ((1u << mbits) - 1u));
    }
    const int bias = (1 << (ebits - 1)) - 1;
    const int e = (int)(ax >> 52) - 1023;
    if ((ax >> 52) == 0) return sign;           // float64 subnormals are far below any target's range
    if (e > bias) return sign | inf;            // above the largest finite exponent
    const uint64_t m = (ax & ((1ull << 52) - 1)) | (1ull << 52);
    const bool target_subnormal = e < 1 - bias;
    const int shift = 52 - mbits + (target_subnormal ? (1 - bias - e) : 0);
    if (shift > 54) return sign;                // below half the smallest subnormal
    uint64_t q = m >> shift;
    const uint64_t rem = m & ((1ull << shift) - 1), half = 1ull << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    uint32_t r = target_subnormal ? (uint32_t)q : ((uint32_t)(e + bias - 1) << mbits) + (uint32_t)q;
    return sign | (r > inf ? inf : r);
}

static inline uint16_t pj_f64_to_f16(double d) { return (uint16_t)pj_f64_to_small_float(d, 5, 10); }
static inline uint16_t pj_f64_to_bf16(double d) { return (uint16_t)pj_f64_to_small_float(d, 8, 7); }

static inline uint16_t pj_f32_to_f16(float f) { return pj_f64_to_f16((double)f); }

static inline uint16_t pj_f32_to_bf16(float f) {
    uint32_t x = pj_f32_to_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u);  // NaN stays NaN
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

static inline float pj_f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0) {  // zero or subnormal: mant * 2^-24, exact in float32
        float v = (float)mant * 5.9604644775390625e-8f;
        return pj_bits_to_f32(pj_f32_to_bits(v) | sign);
    }
    if (exp == 31) return pj_bits_to_f32(sign | 0x7f800000u | (mant << 13));
    return pj_bits_to_f32(sign | ((exp + 112u) << 23) | (mant << 13));
}

static inline float pj_bf16_to_f32(uint16_t h) { return pj_bits_to_f32((uint32_t)h << 16); }
