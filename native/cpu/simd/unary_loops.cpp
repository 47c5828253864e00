// Inner loops of the elementwise unary ops, for one instruction set (see simd.h).
// Floats: vector code where the op has it (arithmetic, rounding, exp/log/tanh/sigmoid, sqrt),
// libm per element otherwise; float16/bfloat16 run the float32 code on converted chunks.
// Integers wrap; bools are 0/1.
#include <type_traits>

#include "float_bits.h"
#include "vmath.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

template <class T> constexpr bool kIsFloat = std::is_floating_point<T>::value;
template <class T> using Unsigned = typename std::make_unsigned<T>::type;

// ---- the ops: scalar(T) for every type they take; vec(...) where a vector form exists ----------

// kVec<float>/kVec<double>: whether vec() exists for that precision.
struct Neg {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return -x;
        else return (T)((Unsigned<T>)0 - (Unsigned<T>)x);
    }
    template <class V> static V vec(V x) { return -x; }
};

struct Abs {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return __builtin_fabs(x);
        else return x < 0 ? Neg::scalar(x) : x;
    }
    static vf vec(vf x) { return vabs_t<float>(x); }
    static vd vec(vd x) { return vabs_t<double>(x); }
};

struct Sign {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return x > 0 ? (T)1 : x < 0 ? (T)-1 : x == 0 ? (T)0 : x;
        else return (T)((x > 0) - (x < 0));
    }
    template <class V> static V vec(V x) {  // 1, -1, 0 for zeros, NaN kept
        V one = V{} + 1;
        V r = x == x ? one - one : x;
        r = x > 0 ? one : r;
        return x < 0 ? -one : r;
    }
};

struct Square {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return x * x;
        else return (T)((uint64_t)x * (uint64_t)x);
    }
    template <class V> static V vec(V x) { return x * x; }
};

struct Relu {  // max(x, 0) with NaN kept
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) { return (x > 0 || x != x) ? x : (T)0; }
    template <class V> static V vec(V x) { return (x > 0 || x != x) ? x : V{}; }
};

struct Floor {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return sizeof(T) == 4 ? __builtin_floorf(x) : __builtin_floor(x);
        else return x;
    }
    static vf vec(vf x) { return vfloor<float>(x); }
    static vd vec(vd x) { return vfloor<double>(x); }
};

struct Ceil {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return sizeof(T) == 4 ? __builtin_ceilf(x) : __builtin_ceil(x);
        else return x;
    }
    static vf vec(vf x) { return vceil<float>(x); }
    static vd vec(vd x) { return vceil<double>(x); }
};

struct Round {  // half to even, as NumPy
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) {
        if constexpr (kIsFloat<T>) return sizeof(T) == 4 ? __builtin_rintf(x) : __builtin_rint(x);
        else return x;
    }
    static vf vec(vf x) { return vround_even<float>(x); }
    static vd vec(vd x) { return vround_even<double>(x); }
};

struct Invert {
    template <class T> static constexpr bool kVec = false;
    template <class T> static T scalar(T x) { return (T)~x; }
};

// Float-only ops. vec() for float32 where we have a vector algorithm; double uses libm.
#define PJ_LIBM_OP(Name, f32call, f64call)                                                 \
    struct Name {                                                                          \
        template <class T> static constexpr bool kVec = false;                            \
        static float scalar(float x) { return f32call; }                                   \
        static double scalar(double x) { return f64call; }                                 \
    };
PJ_LIBM_OP(Expm1, __builtin_expm1f(x), __builtin_expm1(x))
PJ_LIBM_OP(Log1p, __builtin_log1pf(x), __builtin_log1p(x))
PJ_LIBM_OP(Sin, __builtin_sinf(x), __builtin_sin(x))
PJ_LIBM_OP(Cos, __builtin_cosf(x), __builtin_cos(x))
PJ_LIBM_OP(Tan, __builtin_tanf(x), __builtin_tan(x))
PJ_LIBM_OP(Erf, __builtin_erff(x), __builtin_erf(x))
#undef PJ_LIBM_OP

struct Exp {
    template <class T> static constexpr bool kVec = sizeof(T) == 4;
    static float scalar(float x) { return __builtin_expf(x); }
    static double scalar(double x) { return __builtin_exp(x); }
    static vf vec(vf x) { return vexp(x); }
};

struct Log {
    template <class T> static constexpr bool kVec = sizeof(T) == 4;
    static float scalar(float x) { return __builtin_logf(x); }
    static double scalar(double x) { return __builtin_log(x); }
    static vf vec(vf x) { return vlog(x); }
};

struct Tanh {
    template <class T> static constexpr bool kVec = sizeof(T) == 4;
    static float scalar(float x) { return __builtin_tanhf(x); }
    static double scalar(double x) { return __builtin_tanh(x); }
    static vf vec(vf x) { return vtanh(x); }
};

struct Sigmoid {
    template <class T> static constexpr bool kVec = sizeof(T) == 4;
    template <class T> static T scalar(T x) {
        T e = sizeof(T) == 4 ? __builtin_expf((float)-__builtin_fabs(x)) : __builtin_exp(-__builtin_fabs(x));
        return (x >= 0 ? (T)1 : e) / ((T)1 + e);
    }
    static vf vec(vf x) { return vsigmoid(x); }
};

struct Sqrt {
    template <class T> static constexpr bool kVec = true;
    static float scalar(float x) { return __builtin_sqrtf(x); }
    static double scalar(double x) { return __builtin_sqrt(x); }
    template <class V> static V vec(V x) { return vsqrt(x); }
};

struct Reciprocal {
    template <class T> static constexpr bool kVec = true;
    template <class T> static T scalar(T x) { return (T)1 / x; }
    template <class V> static V vec(V x) { return 1 / x; }
};

// Bool-result ops on floats (integers and bools are finite numbers).
struct IsNan { template <class T> static bool scalar(T x) { return x != x; } };
struct IsInf { template <class T> static bool scalar(T x) { return __builtin_isinf(x); } };
struct IsFinite { template <class T> static bool scalar(T x) { return __builtin_isfinite(x); } };

// ---- loops -------------------------------------------------------------------------------------

/** Fewer than one vector's worth: through the vector code on a padded copy, so results never depend on position. */
template <class Op, class T>
inline void partial_vector(const T* x, T* o, int64_t m) {
    constexpr int L = Vec<T>::lanes;
    T buf[L] = {};
    __builtin_memcpy(buf, x, m * sizeof(T));
    store(buf, Op::vec(load<vec<T>>(buf)));
    __builtin_memcpy(o, buf, m * sizeof(T));
}

/** o[i] = Op(x[i]) over contiguous arrays (o may be x). */
template <class Op, class T>
inline void contiguous(const T* x, T* o, int64_t n) {
    if constexpr (kIsFloat<T> && Op::template kVec<T>) {
        constexpr int L = Vec<T>::lanes;
        int64_t i = 0;
        if (n * (int64_t)sizeof(T) >= kStreamBytes) {  // large: align the output, then stream it
            int64_t head = elements_to_alignment(o);
            if (head > 0) partial_vector<Op, T>(x, o, head);
            for (i = head; i + L <= n; i += L) store_stream(o + i, Op::vec(load<vec<T>>(x + i)));
            _mm_sfence();
        }
        for (; i + L <= n; i += L) store(o + i, Op::vec(load<vec<T>>(x + i)));
        if (i < n) partial_vector<Op, T>(x + i, o + i, n - i);
    } else {
        for (int64_t i = 0; i < n; i++) o[i] = Op::scalar(x[i]);
    }
}

template <class Op, int DT>
void unary_loop(char* const* p, const int64_t* s, int64_t n) {
    typedef typename Storage<DT>::type T;
    constexpr int size = sizeof(T);
    if constexpr (DT == PJ_FLOAT16 || DT == PJ_BFLOAT16) {
        float buf[kChunk];
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            load_half_chunk<DT>(p[0] + done * s[0], s[0], m, buf);
            contiguous<Op, float>(buf, buf, m);
            store_half_chunk<DT>(buf, p[1] + done * s[1], s[1], m);
        }
    } else if (s[0] == size && s[1] == size) {
        contiguous<Op, T>((const T*)p[0], (T*)p[1], n);
    } else if constexpr (kIsFloat<T> && Op::template kVec<T>) {
        T buf[kChunk];  // gather, run the vector code, scatter
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            gather_bytes((char*)buf, p[0] + done * s[0], s[0], m, size);
            contiguous<Op, T>(buf, buf, m);
            scatter_bytes(p[1] + done * s[1], s[1], (const char*)buf, m, size);
        }
    } else {
        for (int64_t i = 0; i < n; i++) *(T*)(p[1] + i * s[1]) = Op::scalar(*(const T*)(p[0] + i * s[0]));
    }
}

/** Bool dtype: every value-keeping op is the identity (normalised to 0/1); INVERT is logical not. */
template <bool kNot>
void bool_loop(char* const* p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        bool v = *(const uint8_t*)(p[0] + i * s[0]) != 0;
        *(uint8_t*)(p[1] + i * s[1]) = (uint8_t)(kNot ? !v : v);
    }
}

template <class Op, int DT>
void predicate_loop(char* const* p, const int64_t* s, int64_t n) {
    typedef typename Storage<DT>::type T;
    const char* __restrict x = p[0];
    uint8_t* __restrict o = (uint8_t*)p[1];
    for (int64_t i = 0; i < n; i++) {
        T v = *(const T*)(x + i * s[0]);
        bool r;
        if constexpr (DT == PJ_FLOAT16) r = Op::scalar(pj_f16_to_f32(v));
        else if constexpr (DT == PJ_BFLOAT16) r = Op::scalar(pj_bf16_to_f32(v));
        else if constexpr (kIsFloat<T>) r = Op::scalar(v);
        else r = std::is_same<Op, IsFinite>::value;
        o[i * s[1]] = r;
    }
}

template <class Op, int... DTs>
void put(KernelTable* t, int op) {
    ((t->unary[op][DTs] = &unary_loop<Op, DTs>), ...);
}

template <class Op>
void put_predicate(KernelTable* t, int op) {
    t->unary[op][PJ_BOOL] = &predicate_loop<Op, PJ_BOOL>;
    t->unary[op][PJ_UINT8] = &predicate_loop<Op, PJ_UINT8>;
    t->unary[op][PJ_INT8] = &predicate_loop<Op, PJ_INT8>;
    t->unary[op][PJ_INT16] = &predicate_loop<Op, PJ_INT16>;
    t->unary[op][PJ_INT32] = &predicate_loop<Op, PJ_INT32>;
    t->unary[op][PJ_INT64] = &predicate_loop<Op, PJ_INT64>;
    t->unary[op][PJ_FLOAT16] = &predicate_loop<Op, PJ_FLOAT16>;
    t->unary[op][PJ_BFLOAT16] = &predicate_loop<Op, PJ_BFLOAT16>;
    t->unary[op][PJ_FLOAT32] = &predicate_loop<Op, PJ_FLOAT32>;
    t->unary[op][PJ_FLOAT64] = &predicate_loop<Op, PJ_FLOAT64>;
}

#define PJ_ALL_NUMERIC PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64, PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32, PJ_FLOAT64
#define PJ_ALL_FLOATS PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32, PJ_FLOAT64

}  // namespace

void fill_unary(KernelTable* t) {
    put<Neg, PJ_ALL_NUMERIC>(t, PJ_NEG);
    put<Abs, PJ_ALL_NUMERIC>(t, PJ_ABS);
    put<Sign, PJ_ALL_NUMERIC>(t, PJ_SIGN);
    put<Square, PJ_ALL_NUMERIC>(t, PJ_SQUARE);
    put<Relu, PJ_ALL_NUMERIC>(t, PJ_RELU);
    put<Floor, PJ_ALL_NUMERIC>(t, PJ_FLOOR);
    put<Ceil, PJ_ALL_NUMERIC>(t, PJ_CEIL);
    put<Round, PJ_ALL_NUMERIC>(t, PJ_ROUND);
    for (int op = PJ_NEG; op <= PJ_ROUND; op++) t->unary[op][PJ_BOOL] = &bool_loop<false>;
    t->unary[PJ_INVERT][PJ_BOOL] = &bool_loop<true>;
    put<Invert, PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64>(t, PJ_INVERT);
    put<Exp, PJ_ALL_FLOATS>(t, PJ_EXP);
    put<Expm1, PJ_ALL_FLOATS>(t, PJ_EXPM1);
    put<Log, PJ_ALL_FLOATS>(t, PJ_LOG);
    put<Log1p, PJ_ALL_FLOATS>(t, PJ_LOG1P);
    put<Sqrt, PJ_ALL_FLOATS>(t, PJ_SQRT);
    put<Reciprocal, PJ_ALL_FLOATS>(t, PJ_RECIPROCAL);
    put<Sin, PJ_ALL_FLOATS>(t, PJ_SIN);
    put<Cos, PJ_ALL_FLOATS>(t, PJ_COS);
    put<Tan, PJ_ALL_FLOATS>(t, PJ_TAN);
    put<Tanh, PJ_ALL_FLOATS>(t, PJ_TANH);
    put<Sigmoid, PJ_ALL_FLOATS>(t, PJ_SIGMOID);
    put<Erf, PJ_ALL_FLOATS>(t, PJ_ERF);
    put_predicate<IsNan>(t, PJ_ISNAN);
    put_predicate<IsInf>(t, PJ_ISINF);
    put_predicate<IsFinite>(t, PJ_ISFINITE);
}

}  // namespace pj::cpu::PJ_ISA_NS
