// Inner loops of copy/cast between any two dtypes, for one instruction set (see simd.h).
// Floats to integers truncate toward zero as Java's casts do: NaN gives 0, int64 and int32
// saturate, narrower integers take the low bits of the int32 value. Integers wrap; anything to
// bool is "!= 0"; conversions to float16/bfloat16 round to nearest even from the exact value.
#include <type_traits>

#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

constexpr bool is_half(int dt) { return dt == PJ_FLOAT16 || dt == PJ_BFLOAT16; }
constexpr bool is_float_dt(int dt) { return dt >= PJ_FLOAT16; }
/** Source dtypes whose every value float32 holds exactly. */
constexpr bool fits_float(int dt) { return dt != PJ_INT32 && dt != PJ_INT64 && dt != PJ_FLOAT64; }

/** Java's (long) cast (NaN 0, saturating), then the low bits for narrower integers, as the reference. */
template <class I, class V>
inline I float_to_int(V v) {
    int64_t w;
    if (v != v) w = 0;
    else if (v >= (V)9.2233720368547758e18) w = 0x7fffffffffffffffll;
    else if (v <= (V)-9.2233720368547758e18) w = -0x7fffffffffffffffll - 1;
    else w = (int64_t)v;
    return (I)w;
}

/** An int64 as a double rounded to odd: a second rounding (to 16-bit floats) then equals a direct one. */
inline double int64_round_to_odd(int64_t v) {
    if (v > -(1ll << 53) && v < (1ll << 53)) return (double)v;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int shift = 64 - __builtin_clzll(mag) - 53;
    uint64_t kept = mag >> shift;
    if (mag & ((1ull << shift) - 1)) kept |= 1;  // sticky bit
    double d = __builtin_ldexp((double)kept, shift);
    return v < 0 ? -d : d;
}

/** Converts a value (float for 16-bit float sources, the storage type otherwise) to dtype T. */
template <int T, class V>
inline typename Storage<T>::type to_dtype(V v) {
    typedef typename Storage<T>::type D;
    if constexpr (T == PJ_BOOL) return (D)(v != 0);
    else if constexpr (T == PJ_FLOAT32 || T == PJ_FLOAT64) return (D)v;
    else if constexpr (T == PJ_FLOAT16) {
        if constexpr (sizeof(V) <= 2 || std::is_same<V, float>::value) return pj_f32_to_f16((float)v);
        else return pj_f64_to_f16((double)v);
    } else if constexpr (T == PJ_BFLOAT16) {
        if constexpr (sizeof(V) <= 2 || std::is_same<V, float>::value) return pj_f32_to_bf16((float)v);
        else return pj_f64_to_bf16((double)v);
    } else if constexpr (std::is_floating_point<V>::value) {
        return float_to_int<D>(v);
    } else {
        return (D)v;  // integer to integer: wraps
    }
}

/** A source element read as a plain value (bools normalised to 0/1). */
template <int F>
inline typename Storage<F>::type read_plain(const char* p) {
    typedef typename Storage<F>::type S;
    S v;
    __builtin_memcpy(&v, p, sizeof v);
    if constexpr (F == PJ_BOOL) return (S)(v != 0);
    return v;
}

template <int F, int T>
void cast_loop(char* const* p, const int64_t* s, int64_t n) {
    typedef typename Storage<F>::type S;
    typedef typename Storage<T>::type D;
    constexpr int ssize = sizeof(S), dsize = sizeof(D);
    if constexpr (F == T && F != PJ_BOOL) {
        if (s[0] == ssize && s[1] == dsize) __builtin_memmove(p[1], p[0], n * ssize);
        else
            for (int64_t i = 0; i < n; i++) __builtin_memcpy(p[1] + i * s[1], p[0] + i * s[0], ssize);
    } else if constexpr (is_half(F)) {
        float buf[kChunk];
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            load_half_chunk<F>(p[0] + done * s[0], s[0], m, buf);
            char* dst = p[1] + done * s[1];
            if constexpr (is_half(T)) store_half_chunk<T>(buf, dst, s[1], m);
            else
                for (int64_t i = 0; i < m; i++) {
                    D v = to_dtype<T>(buf[i]);
                    __builtin_memcpy(dst + i * s[1], &v, dsize);
                }
        }
    } else if constexpr (is_half(T) && fits_float(F)) {
        float buf[kChunk];  // exact in float32, then the fast float32 -> 16-bit rounding
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            const char* src = p[0] + done * s[0];
            for (int64_t i = 0; i < m; i++) buf[i] = (float)read_plain<F>(src + i * s[0]);
            store_half_chunk<T>(buf, p[1] + done * s[1], s[1], m);
        }
    } else if (s[0] == ssize && s[1] == dsize && F != PJ_BOOL) {
        const S* __restrict x = (const S*)p[0];
        D* __restrict o = (D*)p[1];
        for (int64_t i = 0; i < n; i++) o[i] = to_dtype<T>(x[i]);
    } else {
        for (int64_t i = 0; i < n; i++) {
            D v = to_dtype<T>(read_plain<F>(p[0] + i * s[0]));
            __builtin_memcpy(p[1] + i * s[1], &v, dsize);
        }
    }
}

template <int F, int... Ts>
void put_row(KernelTable* t) {
    ((t->cast[F][Ts] = &cast_loop<F, Ts>), ...);
}

template <int... Fs>
void put_all(KernelTable* t) {
    (put_row<Fs, PJ_BOOL, PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64, PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32,
             PJ_FLOAT64>(t),
     ...);
}

}  // namespace

void fill_cast(KernelTable* t) {
    put_all<PJ_BOOL, PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64, PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32, PJ_FLOAT64>(t);
}

}  // namespace pj::cpu::PJ_ISA_NS
