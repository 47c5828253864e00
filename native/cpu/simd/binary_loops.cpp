// Inner loops of the elementwise binary ops, for one instruction set (see simd.h).
// Semantics follow NumPy: integers wrap; integer FLOORDIV/MOD floor toward -inf with the sign of
// the divisor and give 0 for a zero divisor; float FLOORDIV/MOD follow npy_divmod; MAXIMUM/MINIMUM
// propagate NaN; bools act as 0/1 (ADD = or, MUL = and, SUB = xor).
#include <type_traits>

#include "float_bits.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

template <class T> constexpr bool kIsFloat = std::is_floating_point<T>::value;
template <class T> using Unsigned = typename std::make_unsigned<T>::type;

// ---- value ops: scalar(a, b) for every type they take; vec(a, b) for floats where kVec ---------

struct Add {
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) {
        if constexpr (kIsFloat<T>) return a + b;
        else return (T)((Unsigned<T>)a + (Unsigned<T>)b);
    }
    template <class V> static V vec(V a, V b) { return a + b; }
};

struct Sub {
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) {
        if constexpr (kIsFloat<T>) return a - b;
        else return (T)((Unsigned<T>)a - (Unsigned<T>)b);
    }
    template <class V> static V vec(V a, V b) { return a - b; }
};

struct Mul {
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) {
        if constexpr (kIsFloat<T>) return a * b;
        else return (T)((uint64_t)a * (uint64_t)b);
    }
    template <class V> static V vec(V a, V b) { return a * b; }
};

struct Div {  // floats only
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) { return a / b; }
    template <class V> static V vec(V a, V b) { return a / b; }
};

// Fused steps of neural-network layers (floats only): one pass where two elementwise ops would take two.
struct AddRelu {  // relu(a + b), NaN kept: a dense layer's bias and activation
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) {
        T s = a + b;
        return (s > 0 || s != s) ? s : (T)0;
    }
    template <class V> static V vec(V a, V b) {
        V s = a + b;
        return (s > 0 || s != s) ? s : V{};
    }
};

struct ReluGrad {  // a (the output gradient) where b (relu's output) > 0, 0 where b <= 0, NaN where b is NaN
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) { return b > 0 ? a : (b != b ? b : (T)0); }
    template <class V> static V vec(V a, V b) { return b > 0 ? a : (b != b ? b : V{}); }
};

template <class T> T fmod_t(T a, T b) { return sizeof(T) == 4 ? __builtin_fmodf(a, b) : __builtin_fmod(a, b); }
template <class T> T floor_t(T a) { return sizeof(T) == 4 ? __builtin_floorf(a) : __builtin_floor(a); }
template <class T> T copysign_t(T a, T b) { return sizeof(T) == 4 ? __builtin_copysignf(a, b) : __builtin_copysign(a, b); }

/** NumPy's npy_divmod: the floor quotient, and the remainder with the divisor's sign. */
template <class T>
T float_divmod(T a, T b, T* modulus) {
    T mod = fmod_t(a, b);
    if (b == 0) {
        *modulus = mod;
        return a / b;
    }
    T div = (a - mod) / b;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) {
            mod += b;
            div -= (T)1;
        }
    } else {
        mod = copysign_t((T)0, b);
    }
    T floordiv;
    if (div != 0) {
        floordiv = floor_t(div);
        if (div - floordiv > (T)0.5) floordiv += (T)1;
    } else {
        floordiv = copysign_t((T)0, a / b);
    }
    *modulus = mod;
    return floordiv;
}

struct FloorDiv {
    static constexpr bool kVec = false;
    template <class T> static T scalar(T a, T b) {
        if constexpr (kIsFloat<T>) {  // float32 too in double, rounded once (as the reference)
            double mod, x = a, y = b;
            return (T)(y == 0 ? x / y : float_divmod(x, y, &mod));
        } else {
            if (b == 0) return 0;
            if constexpr (std::is_signed<T>::value) {
                if (b == -1) return (T)((Unsigned<T>)0 - (Unsigned<T>)a);  // MIN / -1 wraps, never traps
                T q = (T)(a / b);
                return (T)((a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q);
            } else {
                return (T)(a / b);
            }
        }
    }
};

struct Mod {
    static constexpr bool kVec = false;
    template <class T> static T scalar(T a, T b) {
        if constexpr (kIsFloat<T>) {
            double mod, x = a, y = b;
            if (y == 0) return (T)fmod_t(x, y);
            float_divmod(x, y, &mod);
            return (T)mod;
        } else {
            if (b == 0) return 0;
            if constexpr (std::is_signed<T>::value) {
                if (b == -1) return 0;
                T r = (T)(a % b);
                return (T)((r != 0 && ((r < 0) != (b < 0))) ? r + b : r);
            } else {
                return (T)(a % b);
            }
        }
    }
};

struct Pow {
    static constexpr bool kVec = false;
    template <class T> static T scalar(T a, T b) {
        if constexpr (kIsFloat<T>) {
            return sizeof(T) == 4 ? __builtin_powf(a, b) : __builtin_pow(a, b);
        } else {
            if constexpr (std::is_signed<T>::value) {
                if (b < 0) {  // 1 / a^|b| truncated toward zero (NumPy refuses these)
                    if (a == 1) return 1;
                    if (a == -1) return (T)((b & 1) ? -1 : 1);
                    return 0;
                }
            }
            uint64_t result = 1, base = (uint64_t)(int64_t)a, e = (uint64_t)b;
            while (e != 0) {  // square and multiply, wrapping modulo 2^64 (then to T)
                if (e & 1) result *= base;
                base *= base;
                e >>= 1;
            }
            return (T)result;
        }
    }
};

// Java's Math.max/min: NaN propagates; max(-0.0, 0.0) = 0.0, min gives -0.0.
struct Maximum {
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) { return java_extreme<true>(a, b); }
    static vf vec(vf a, vf b) { return vjava_extreme<true, float>(a, b); }
    static vd vec(vd a, vd b) { return vjava_extreme<true, double>(a, b); }
};

struct Minimum {
    static constexpr bool kVec = true;
    template <class T> static T scalar(T a, T b) { return java_extreme<false>(a, b); }
    static vf vec(vf a, vf b) { return vjava_extreme<false, float>(a, b); }
    static vd vec(vd a, vd b) { return vjava_extreme<false, double>(a, b); }
};

struct BitAnd { static constexpr bool kVec = false; template <class T> static T scalar(T a, T b) { return (T)(a & b); } };
struct BitOr { static constexpr bool kVec = false; template <class T> static T scalar(T a, T b) { return (T)(a | b); } };
struct BitXor { static constexpr bool kVec = false; template <class T> static T scalar(T a, T b) { return (T)(a ^ b); } };

// Comparisons write bool.
struct Eq { template <class T> static bool scalar(T a, T b) { return a == b; } };
struct Ne { template <class T> static bool scalar(T a, T b) { return a != b; } };
struct Lt { template <class T> static bool scalar(T a, T b) { return a < b; } };
struct Le { template <class T> static bool scalar(T a, T b) { return a <= b; } };
struct Gt { template <class T> static bool scalar(T a, T b) { return a > b; } };
struct Ge { template <class T> static bool scalar(T a, T b) { return a >= b; } };

// ---- loops -------------------------------------------------------------------------------------

/** o[i] = Op(a[i], b[i]) over contiguous arrays; kA/kB: that input is one broadcast value. */
template <class Op, class T, bool kA, bool kB>
inline void contiguous(const T* a, const T* b, T* o, int64_t n) {
    int64_t i = 0;
    if constexpr (kIsFloat<T> && Op::kVec) {
        constexpr int L = Vec<T>::lanes;
        typedef vec<T> V;
        const V va = kA ? splat<V>(a[0]) : V{}, vb = kB ? splat<V>(b[0]) : V{};
        if (n * (int64_t)sizeof(T) >= kStreamBytes) {  // large: align the output, then stream it
            // The vector ops are IEEE operations like the scalar ones: the head may go scalar.
            for (int64_t head = elements_to_alignment(o); i < head; i++) o[i] = Op::scalar(a[kA ? 0 : i], b[kB ? 0 : i]);
            for (; i + L <= n; i += L) store_stream(o + i, Op::vec(kA ? va : load<V>(a + i), kB ? vb : load<V>(b + i)));
            _mm_sfence();
        }
        for (; i + L <= n; i += L)
            store(o + i, Op::vec(kA ? va : load<V>(a + i), kB ? vb : load<V>(b + i)));
    }
    for (; i < n; i++) o[i] = Op::scalar(a[kA ? 0 : i], b[kB ? 0 : i]);
}

template <class Op, class T>
inline void dispatch_contiguous(const T* a, int64_t sa, const T* b, int64_t sb, T* o, int64_t n) {
    if (sa == 0) contiguous<Op, T, true, false>(a, b, o, n);
    else if (sb == 0) contiguous<Op, T, false, true>(a, b, o, n);
    else contiguous<Op, T, false, false>(a, b, o, n);
}

template <class Op, int DT>
void binary_loop(char* const* p, const int64_t* s, int64_t n) {
    typedef typename Storage<DT>::type T;
    constexpr int size = sizeof(T);
    if constexpr (DT == PJ_FLOAT16 || DT == PJ_BFLOAT16) {
        float fa[kChunk], fb[kChunk];
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            // a broadcast `a` converts once; `b` is always read in full (a zero stride replicates it)
            load_half_chunk<DT>(p[0] + done * s[0], s[0], s[0] == 0 ? 1 : m, fa);
            load_half_chunk<DT>(p[1] + done * s[1], s[1], m, fb);
            if (s[0] == 0) contiguous<Op, float, true, false>(fa, fb, fb, m);
            else contiguous<Op, float, false, false>(fa, fb, fb, m);
            store_half_chunk<DT>(fb, p[2] + done * s[2], s[2], m);
        }
    } else if ((s[0] == size || s[0] == 0) && (s[1] == size || s[1] == 0) && s[2] == size && (s[0] | s[1])) {
        dispatch_contiguous<Op, T>((const T*)p[0], s[0], (const T*)p[1], s[1], (T*)p[2], n);
    } else {
        for (int64_t i = 0; i < n; i++)
            *(T*)(p[2] + i * s[2]) = Op::scalar(*(const T*)(p[0] + i * s[0]), *(const T*)(p[1] + i * s[1]));
    }
}

template <class Cmp, int DT>
void compare_loop(char* const* p, const int64_t* s, int64_t n) {
    typedef typename Storage<DT>::type T;
    constexpr int size = sizeof(T);
    if constexpr (DT == PJ_FLOAT16 || DT == PJ_BFLOAT16) {
        float fa[kChunk], fb[kChunk];
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            load_half_chunk<DT>(p[0] + done * s[0], s[0], m, fa);
            load_half_chunk<DT>(p[1] + done * s[1], s[1], m, fb);
            uint8_t* o = (uint8_t*)p[2] + done * s[2];
            for (int64_t i = 0; i < m; i++) o[i * s[2]] = Cmp::scalar(fa[i], fb[i]);
        }
    } else if (s[0] == size && s[1] == size && s[2] == 1) {
        const T* __restrict a = (const T*)p[0];
        const T* __restrict b = (const T*)p[1];
        uint8_t* __restrict o = (uint8_t*)p[2];
        for (int64_t i = 0; i < n; i++) o[i] = Cmp::scalar(a[i], b[i]);
    } else {
        for (int64_t i = 0; i < n; i++)
            *(uint8_t*)(p[2] + i * s[2]) = Cmp::scalar(*(const T*)(p[0] + i * s[0]), *(const T*)(p[1] + i * s[1]));
    }
}

/** Bools as 0/1 (any nonzero byte reads as true). */
template <class F>
void bool_loop(char* const* p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        bool a = *(const uint8_t*)(p[0] + i * s[0]) != 0, b = *(const uint8_t*)(p[1] + i * s[1]) != 0;
        *(uint8_t*)(p[2] + i * s[2]) = (uint8_t)F::apply(a, b);
    }
}

struct BoolOr { static bool apply(bool a, bool b) { return a || b; } };
struct BoolAnd { static bool apply(bool a, bool b) { return a && b; } };
struct BoolXor { static bool apply(bool a, bool b) { return a != b; } };
struct BoolFalse { static bool apply(bool, bool) { return false; } };
struct BoolPow { static bool apply(bool a, bool b) { return a || !b; } };
template <class Cmp> struct BoolCmp { static bool apply(bool a, bool b) { return Cmp::scalar((int)a, (int)b); } };

#define PJ_INTS PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64
#define PJ_FLOATS PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32, PJ_FLOAT64

template <class Op, int... DTs>
void put(KernelTable* t, int op) {
    ((t->binary[op][DTs] = &binary_loop<Op, DTs>), ...);
}

template <class Cmp>
void put_compare(KernelTable* t, int op) {
    t->binary[op][PJ_BOOL] = &bool_loop<BoolCmp<Cmp>>;
    t->binary[op][PJ_UINT8] = &compare_loop<Cmp, PJ_UINT8>;
    t->binary[op][PJ_INT8] = &compare_loop<Cmp, PJ_INT8>;
    t->binary[op][PJ_INT16] = &compare_loop<Cmp, PJ_INT16>;
    t->binary[op][PJ_INT32] = &compare_loop<Cmp, PJ_INT32>;
    t->binary[op][PJ_INT64] = &compare_loop<Cmp, PJ_INT64>;
    t->binary[op][PJ_FLOAT16] = &compare_loop<Cmp, PJ_FLOAT16>;
    t->binary[op][PJ_BFLOAT16] = &compare_loop<Cmp, PJ_BFLOAT16>;
    t->binary[op][PJ_FLOAT32] = &compare_loop<Cmp, PJ_FLOAT32>;
    t->binary[op][PJ_FLOAT64] = &compare_loop<Cmp, PJ_FLOAT64>;
}

}  // namespace

void fill_binary(KernelTable* t) {
    put<Add, PJ_INTS, PJ_FLOATS>(t, PJ_ADD);
    put<Sub, PJ_INTS, PJ_FLOATS>(t, PJ_SUB);
    put<Mul, PJ_INTS, PJ_FLOATS>(t, PJ_MUL);
    put<Div, PJ_FLOATS>(t, PJ_DIV);
    put<FloorDiv, PJ_INTS, PJ_FLOATS>(t, PJ_FLOORDIV);
    put<Mod, PJ_INTS, PJ_FLOATS>(t, PJ_MOD);
    put<Pow, PJ_INTS, PJ_FLOATS>(t, PJ_POW);
    put<Maximum, PJ_INTS, PJ_FLOATS>(t, PJ_MAXIMUM);
    put<Minimum, PJ_INTS, PJ_FLOATS>(t, PJ_MINIMUM);
    put<BitAnd, PJ_INTS>(t, PJ_AND);
    put<BitOr, PJ_INTS>(t, PJ_OR);
    put<BitXor, PJ_INTS>(t, PJ_XOR);
    put<AddRelu, PJ_FLOATS>(t, PJ_ADD_RELU);
    put<ReluGrad, PJ_FLOATS>(t, PJ_RELU_GRAD);
    put_compare<Eq>(t, PJ_EQ);
    put_compare<Ne>(t, PJ_NE);
    put_compare<Lt>(t, PJ_LT);
    put_compare<Le>(t, PJ_LE);
    put_compare<Gt>(t, PJ_GT);
    put_compare<Ge>(t, PJ_GE);
    t->binary[PJ_ADD][PJ_BOOL] = &bool_loop<BoolOr>;
    t->binary[PJ_SUB][PJ_BOOL] = &bool_loop<BoolXor>;
    t->binary[PJ_MUL][PJ_BOOL] = &bool_loop<BoolAnd>;
    t->binary[PJ_FLOORDIV][PJ_BOOL] = &bool_loop<BoolAnd>;
    t->binary[PJ_MOD][PJ_BOOL] = &bool_loop<BoolFalse>;
    t->binary[PJ_POW][PJ_BOOL] = &bool_loop<BoolPow>;
    t->binary[PJ_MAXIMUM][PJ_BOOL] = &bool_loop<BoolOr>;
    t->binary[PJ_MINIMUM][PJ_BOOL] = &bool_loop<BoolAnd>;
    t->binary[PJ_AND][PJ_BOOL] = &bool_loop<BoolAnd>;
    t->binary[PJ_OR][PJ_BOOL] = &bool_loop<BoolOr>;
    t->binary[PJ_XOR][PJ_BOOL] = &bool_loop<BoolXor>;
}

}  // namespace pj::cpu::PJ_ISA_NS
