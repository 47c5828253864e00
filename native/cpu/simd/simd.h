// Vector types for the per-ISA kernel files. Each file under simd/ is compiled once per instruction
// set with PJ_ISA_NS naming its namespace (baseline, avx2, avx512); everything here lives in that
// namespace, so the copies built with different flags never merge at link time. Code in these
// files uses only compiler builtins and their own templates, no inline library code (std::), for
// the same reason.
#pragma once

#ifndef PJ_ISA_NS
#error "PJ_ISA_NS must name the instruction set this file is compiled for"
#endif

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../../common/half.h"
#include "../kernels.h"

/** For the vector math: inlined into every loop, so no vector ever crosses a call. */
#define PJ_INLINE inline __attribute__((always_inline))

namespace pj::cpu::PJ_ISA_NS {

#if defined(PJ_FORCE_VEC_BYTES)  // tests only: AVX-512's 16-lane logic, run on an AVX2 machine
constexpr int kVecBytes = PJ_FORCE_VEC_BYTES;
#elif defined(__AVX512F__)
constexpr int kVecBytes = 64;
#elif defined(__AVX2__)
constexpr int kVecBytes = 32;
#else
constexpr int kVecBytes = 16;
#endif

/** The native vector of T for this instruction set, and its lane count. */
template <class T>
struct Vec {
    typedef T type __attribute__((vector_size(kVecBytes)));
    static constexpr int lanes = kVecBytes / (int)sizeof(T);
};
template <class T>
using vec = typename Vec<T>::type;

typedef vec<float> vf;
typedef vec<int32_t> vi;  // same lane count as vf: masks and bit patterns of floats
typedef vec<double> vd;
typedef vec<int64_t> vl;  // same lane count as vd
constexpr int kLanesF = Vec<float>::lanes;
constexpr int kLanesD = Vec<double>::lanes;

template <class V, class T>
inline V load(const T* p) {
    V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

template <class V, class T>
inline void store(T* p, V v) {
    __builtin_memcpy(p, &v, sizeof v);
}

template <class V, class T>
inline V splat(T x) {
    V v;
    for (int i = 0; i < (int)(sizeof(V) / sizeof(T)); i++) v[i] = x;
    return v;
}

/**
 * Outputs at least this large (per inner-loop call) are written with non-temporal stores: they
 * cannot stay in cache anyway, and streaming skips the read-for-ownership of each output line
 * (12 instead of 16 bytes of memory traffic per element of a float32 add).
 */
constexpr int64_t kStreamBytes = 8 << 20;

/** Non-temporal store of a whole vector; p must be aligned to the vector's size. */
template <class V, class T>
inline void store_stream(T* p, V v) {
#if defined(__AVX512F__)
    typedef __m512i Piece;
#elif defined(__AVX__)
    typedef __m256i Piece;
#else
    typedef __m128i Piece;
#endif
    for (int at = 0; at < (int)sizeof(V); at += (int)sizeof(Piece)) {
        Piece piece;
        __builtin_memcpy(&piece, (const char*)&v + at, sizeof piece);
#if defined(__AVX512F__)
        _mm512_stream_si512((Piece*)((char*)p + at), piece);
#elif defined(__AVX__)
        _mm256_stream_si256((Piece*)((char*)p + at), piece);
#else
        _mm_stream_si128((Piece*)((char*)p + at), piece);
#endif
    }
}

/** Square root lane by lane with the widest instruction the ISA has (a wider vector goes in pieces). */
template <class V>
inline V vsqrt(V x) {
#if defined(__AVX512F__)
    typedef __m512 NF;
    typedef __m512d ND;
#elif defined(__AVX2__)
    typedef __m256 NF;
    typedef __m256d ND;
#else
    typedef __m128 NF;
    typedef __m128d ND;
#endif
    constexpr bool is_float = sizeof(x[0]) == 4;
    constexpr int piece = sizeof(NF);
    V out;
    for (int at = 0; at < (int)sizeof(V); at += piece) {
        if constexpr (is_float) {
            NF v;
            __builtin_memcpy(&v, (char*)&x + at, piece);
#if defined(__AVX512F__)
            v = _mm512_sqrt_ps(v);
#elif defined(__AVX2__)
            v = _mm256_sqrt_ps(v);
#else
            v = _mm_sqrt_ps(v);
#endif
            __builtin_memcpy((char*)&out + at, &v, piece);
        } else {
            ND v;
            __builtin_memcpy(&v, (char*)&x + at, piece);
#if defined(__AVX512F__)
            v = _mm512_sqrt_pd(v);
#elif defined(__AVX2__)
            v = _mm256_sqrt_pd(v);
#else
            v = _mm_sqrt_pd(v);
#endif
            __builtin_memcpy((char*)&out + at, &v, piece);
        }
    }
    return out;
}

/** Elements before p + i reaches the vector alignment (p must be aligned to its element). */
template <class T>
inline int64_t elements_to_alignment(const T* p) {
    uintptr_t misalign = (uintptr_t)p % kVecBytes;
    return misalign == 0 ? 0 : (int64_t)((kVecBytes - misalign) / sizeof(T));
}

/** Elements a strided inner loop gathers into a contiguous scratch block before the vector code runs. */
constexpr int kChunk = 256;

/** Copies n elements of `size` bytes from a strided source into contiguous dst. */
inline void gather_bytes(char* dst, const char* src, int64_t stride, int64_t n, int size) {
    for (int64_t i = 0; i < n; i++) __builtin_memcpy(dst + i * size, src + i * stride, size);
}

inline void scatter_bytes(char* dst, int64_t stride, const char* src, int64_t n, int size) {
    for (int64_t i = 0; i < n; i++) __builtin_memcpy(dst + i * stride, src + i * size, size);
}

/** float16 -> float32 for n contiguous values (F16C where the instruction set has it). */
inline void f16_to_f32(const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(src + i))));
#elif defined(__F16C__)
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(src + i))));
#endif
    for (; i < n; i++) dst[i] = pj_f16_to_f32(src[i]);
}

inline void f32_to_f16(const float* src, uint16_t* dst, int64_t n) {
    int64_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i*)(dst + i), _mm512_cvtps_ph(_mm512_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#elif defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i*)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; i < n; i++) dst[i] = pj_f32_to_f16(src[i]);
}

inline void bf16_to_f32(const uint16_t* src, float* dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)src[i] << 16;
        __builtin_memcpy(dst + i, &u, 4);
    }
}

inline void f32_to_bf16(const float* src, uint16_t* dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t x;
        __builtin_memcpy(&x, src + i, 4);
        uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
        dst[i] = (uint16_t)((x & 0x7fffffffu) > 0x7f800000u ? (x >> 16) | 0x40u : rounded);
    }
}

/** The storage type of a dtype, and whether it computes through float32 (the 16-bit floats). */
template <int DT> struct Storage;
template <> struct Storage<PJ_BOOL> { typedef uint8_t type; };
template <> struct Storage<PJ_UINT8> { typedef uint8_t type; };
template <> struct Storage<PJ_INT8> { typedef int8_t type; };
template <> struct Storage<PJ_INT16> { typedef int16_t type; };
template <> struct Storage<PJ_INT32> { typedef int32_t type; };
template <> struct Storage<PJ_INT64> { typedef int64_t type; };
template <> struct Storage<PJ_FLOAT16> { typedef uint16_t type; };
template <> struct Storage<PJ_BFLOAT16> { typedef uint16_t type; };
template <> struct Storage<PJ_FLOAT32> { typedef float type; };
template <> struct Storage<PJ_FLOAT64> { typedef double type; };

/** Converts n contiguous 16-bit floats of dtype DT to float32, and back. */
template <int DT>
inline void half_to_f32(const uint16_t* src, float* dst, int64_t n) {
    if (DT == PJ_FLOAT16) f16_to_f32(src, dst, n);
    else bf16_to_f32(src, dst, n);
}

template <int DT>
inline void f32_to_half(const float* src, uint16_t* dst, int64_t n) {
    if (DT == PJ_FLOAT16) f32_to_f16(src, dst, n);
    else f32_to_bf16(src, dst, n);
}

/** Reads m 16-bit floats of dtype DT (any byte stride, m <= kChunk) as float32. */
template <int DT>
inline void load_half_chunk(const char* src, int64_t stride, int64_t m, float* dst) {
    if (stride == 2) {
        half_to_f32<DT>((const uint16_t*)src, dst, m);
    } else {
        uint16_t raw[kChunk];
        gather_bytes((char*)raw, src, stride, m, 2);
        half_to_f32<DT>(raw, dst, m);
    }
}

/** Writes m float32 values as 16-bit floats of dtype DT (any byte stride, m <= kChunk). */
template <int DT>
inline void store_half_chunk(const float* src, char* dst, int64_t stride, int64_t m) {
    if (stride == 2) {
        f32_to_half<DT>(src, (uint16_t*)dst, m);
    } else {
        uint16_t raw[kChunk];
        f32_to_half<DT>(src, raw, m);
        scatter_bytes(dst, stride, (const char*)raw, m, 2);
    }
}

}  // namespace pj::cpu::PJ_ISA_NS
