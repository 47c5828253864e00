// Inner loops of the reductions, for one instruction set (see simd.h): a row folds n elements
// into one accumulator, a column step folds a contiguous row into n accumulators. Float sums
// accumulate in double (any float dtype), integer sums in wrapping int64; MAX/MIN propagate NaN;
// ARGMAX/ARGMIN keep the first index of the extreme, NaN counting as the extreme.
#include <type_traits>

#include "float_bits.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

template <class T> constexpr bool kIsFloat = std::is_floating_point<T>::value;

/** The type a row is computed in: float32 for the 16-bit floats, the storage type otherwise. */
template <int DT>
using Value = typename std::conditional<DT == PJ_FLOAT16 || DT == PJ_BFLOAT16, float, typename Storage<DT>::type>::type;

// ---- contiguous folds -------------------------------------------------------------------------

typedef float half_vf __attribute__((vector_size(kVecBytes / 2)));  // kLanesD floats

inline double hsum(vd v) {
    double s = 0;
    for (int i = 0; i < kLanesD; i++) s += v[i];
    return s;
}

inline double sum_double(const float* x, int64_t n) {
    vd a0 = {}, a1 = {}, a2 = {}, a3 = {};
    int64_t i = 0;
    for (; i + 4 * kLanesD <= n; i += 4 * kLanesD) {
        a0 += __builtin_convertvector(load<half_vf>(x + i), vd);
        a1 += __builtin_convertvector(load<half_vf>(x + i + kLanesD), vd);
        a2 += __builtin_convertvector(load<half_vf>(x + i + 2 * kLanesD), vd);
        a3 += __builtin_convertvector(load<half_vf>(x + i + 3 * kLanesD), vd);
    }
    double s = hsum((a0 + a1) + (a2 + a3));
    for (; i < n; i++) s += x[i];
    return s;
}

inline double sum_double(const double* x, int64_t n) {
    vd a0 = {}, a1 = {}, a2 = {}, a3 = {};
    int64_t i = 0;
    for (; i + 4 * kLanesD <= n; i += 4 * kLanesD) {
        a0 += load<vd>(x + i);
        a1 += load<vd>(x + i + kLanesD);
        a2 += load<vd>(x + i + 2 * kLanesD);
        a3 += load<vd>(x + i + 3 * kLanesD);
    }
    double s = hsum((a0 + a1) + (a2 + a3));
    for (; i < n; i++) s += x[i];
    return s;
}

template <class T>
inline double sum_double(const T* x, int64_t n) {  // integers into a double accumulator
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)x[i];
    return s;
}

template <class T>
inline int64_t sum_int(const T* x, int64_t n) {
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += (uint64_t)(int64_t)x[i];
    return (int64_t)s;
}

/** Whether a run holds +0.0 (kPositive) or -0.0 bits. */
template <bool kPositive, class T>
inline bool has_zero(const T* x, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (x[i] == 0 && __builtin_signbit(x[i]) != kPositive) return true;
    return false;
}

/**
 * Java's Math.max (kMax) or Math.min folded over a contiguous float run, from `init`. The loop
 * does plain compares and only records whether a NaN went by; the rare zero result is fixed
 * afterwards (max prefers +0.0, min -0.0), so each vector costs a compare, a blend and an or.
 */
template <bool kMax, class T>
inline T extreme_float(const T* x, int64_t n, T init) {
    typedef vec<T> V;
    typedef ivec<T> I;
    constexpr int L = Vec<T>::lanes;
    if (init != init) return init;
    V m0 = splat<V>(init), m1 = m0, m2 = m0, m3 = m0;
    I nan = I{};
    int64_t i = 0;
    for (; i + 4 * L <= n; i += 4 * L) {
        V x0 = load<V>(x + i), x1 = load<V>(x + i + L), x2 = load<V>(x + i + 2 * L), x3 = load<V>(x + i + 3 * L);
        m0 = (kMax ? x0 > m0 : x0 < m0) ? x0 : m0;
        m1 = (kMax ? x1 > m1 : x1 < m1) ? x1 : m1;
        m2 = (kMax ? x2 > m2 : x2 < m2) ? x2 : m2;
        m3 = (kMax ? x3 > m3 : x3 < m3) ? x3 : m3;
        nan |= (x0 != x0) | (x1 != x1) | (x2 != x2) | (x3 != x3);
    }
    T m = init;
    for (int k = 0; k < L; k++) {
        if (nan[k]) return (T)__builtin_nan("");
        const T lanes[4] = {m0[k], m1[k], m2[k], m3[k]};
        for (T v : lanes) m = (kMax ? v > m : v < m) ? v : m;
    }
    for (; i < n; i++) {
        if (x[i] != x[i]) return x[i];
        m = (kMax ? x[i] > m : x[i] < m) ? x[i] : m;
    }
    if (m == 0) {  // of +0.0 and -0.0, max keeps +0.0 and min -0.0 (Java)
        const bool init_wins = __builtin_signbit(init) != kMax && init == 0;
        bool preferred = init_wins || has_zero<kMax>(x, n);
        m = preferred ? (kMax ? (T)0 : -(T)0) : (kMax ? -(T)0 : (T)0);
    }
    return m;
}

template <bool kMax, class T>
inline T extreme_int(const T* x, int64_t n, T init) {
    T m = init;
    for (int64_t i = 0; i < n; i++) m = (kMax ? x[i] > m : x[i] < m) ? x[i] : m;
    return m;
}

// ---- row folds per op: run(x, n, first, acc) over contiguous values -----------------------------

struct RowSum {
    template <class T> static void run_double(const T* x, int64_t n, int64_t, Acc* acc) { acc->f += sum_double(x, n); }
    template <class T> static void run_int(const T* x, int64_t n, int64_t, Acc* acc) {
        acc->i = (int64_t)((uint64_t)acc->i + (uint64_t)sum_int(x, n));
    }
};

struct RowProd {
    template <class T> static void run_double(const T* x, int64_t n, int64_t, Acc* acc) {
        double p = acc->f;
        for (int64_t i = 0; i < n; i++) p *= (double)x[i];
        acc->f = p;
    }
    template <class T> static void run_int(const T* x, int64_t n, int64_t, Acc* acc) {
        uint64_t p = (uint64_t)acc->i;
        for (int64_t i = 0; i < n; i++) p *= (uint64_t)(int64_t)x[i];
        acc->i = (int64_t)p;
    }
};

/** MAX/MIN: acc->index < 0 until the first value arrives (no identity needed, so no clamping). */
template <bool kMax>
struct RowExtreme {
    template <class T> static void run_double(const T* x, int64_t n, int64_t, Acc* acc) {
        if (n == 0) return;
        T init = acc->index < 0 ? x[0] : (T)acc->f;  // acc->f holds a value of T exactly
        acc->f = init != init ? (double)init : (double)extreme_float<kMax, T>(x, n, init);
        acc->index = 0;
    }
    template <class T> static void run_int(const T* x, int64_t n, int64_t, Acc* acc) {
        if (n == 0) return;
        T init = acc->index < 0 ? x[0] : (T)acc->i;
        acc->i = (int64_t)extreme_int<kMax, T>(x, n, init);
        acc->index = 0;
    }
};

template <bool kMax>
struct RowArgExtreme {
    template <class T> static void run_double(const T* x, int64_t n, int64_t first, Acc* acc) {
        if (n == 0 || (acc->index >= 0 && acc->f != acc->f)) return;  // a NaN already won
        T m = extreme_float<kMax, T>(x, n, x[0]);
        int64_t at = 0;
        if (m != m) while (x[at] == x[at]) at++;
        else while (x[at] != m) at++;
        bool better = acc->index < 0 || m != m || (kMax ? (double)m > acc->f : (double)m < acc->f);
        if (better) {
            acc->f = (double)m;
            acc->index = first + at;
        }
    }
    template <class T> static void run_int(const T* x, int64_t n, int64_t first, Acc* acc) {
        if (n == 0) return;
        T m = extreme_int<kMax, T>(x, n, x[0]);
        int64_t at = 0;
        while (x[at] != m) at++;
        if (acc->index < 0 || (kMax ? (int64_t)m > acc->i : (int64_t)m < acc->i)) {
            acc->i = (int64_t)m;
            acc->index = first + at;
        }
    }
};

template <bool kAll>
struct RowAnyAll {
    template <class T> static void run_double(const T* x, int64_t n, int64_t f, Acc* acc) { run_int(x, n, f, acc); }
    template <class T> static void run_int(const T* x, int64_t n, int64_t, Acc* acc) {
        if (kAll ? acc->i == 0 : acc->i != 0) return;  // already decided
        for (int64_t i = 0; i < n; i++)
            if ((x[i] != 0) != kAll) {
                acc->i = kAll ? 0 : 1;
                return;
            }
    }
};

/** A row of any stride: contiguous native runs go straight in; others are converted/gathered in chunks. */
template <class Fold, int DT, int CLS>
void row_loop(const char* p, int64_t stride, int64_t n, int64_t first, Acc* acc) {
    typedef typename Storage<DT>::type S;
    typedef Value<DT> V;
    auto fold = [&](const V* x, int64_t m, int64_t at) {
        if constexpr (CLS == ACC_DOUBLE) Fold::template run_double<V>(x, m, at, acc);
        else Fold::template run_int<V>(x, m, at, acc);
    };
    if constexpr (std::is_same<S, V>::value && DT != PJ_BOOL) {
        if (stride == (int64_t)sizeof(S)) {
            fold((const V*)p, n, first);
            return;
        }
    }
    V buf[kChunk];
    for (int64_t done = 0; done < n; done += kChunk) {
        int64_t m = n - done < kChunk ? n - done : kChunk;
        const char* src = p + done * stride;
        if constexpr (DT == PJ_FLOAT16 || DT == PJ_BFLOAT16) load_half_chunk<DT>(src, stride, m, buf);
        else if constexpr (DT == PJ_BOOL)
            for (int64_t i = 0; i < m; i++) buf[i] = src[i * stride] != 0;
        else gather_bytes((char*)buf, src, stride, m, sizeof(S));
        fold(buf, m, first + done);
    }
}

// ---- column folds: acc[j] op= x[j] for a contiguous row ---------------------------------------

template <int Op, class T, class A>
inline void column_fold(const T* __restrict x, int64_t n, A* __restrict acc) {
    for (int64_t j = 0; j < n; j++) {
        A v = (A)x[j];
        A a = acc[j];
        if constexpr (Op == PJ_SUM) {
            if constexpr (kIsFloat<A>) a += v;
            else a = (A)((uint64_t)a + (uint64_t)v);
        } else if constexpr (Op == PJ_PROD) {
            if constexpr (kIsFloat<A>) a *= v;
            else a = (A)((uint64_t)a * (uint64_t)v);
        } else if constexpr (Op == PJ_MAX) {
            a = java_extreme<true>(a, v);
        } else if constexpr (Op == PJ_MIN) {
            a = java_extreme<false>(a, v);
        } else if constexpr (Op == PJ_ANY) {
            a = a | (A)(x[j] != 0);
        } else {
            a = a & (A)(x[j] != 0);
        }
        acc[j] = a;
    }
}

template <int Op, int DT, int CLS>
void column_loop(const char* p, int64_t n, void* acc) {
    typedef typename Storage<DT>::type S;
    typedef typename std::conditional<CLS == ACC_DOUBLE, double, int64_t>::type A;
    if constexpr (DT == PJ_FLOAT16 || DT == PJ_BFLOAT16) {
        float buf[kChunk];
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            half_to_f32<DT>((const uint16_t*)p + done, buf, m);
            column_fold<Op, float, A>(buf, m, (A*)acc + done);
        }
    } else if constexpr (DT == PJ_BOOL) {
        uint8_t buf[kChunk];
        for (int64_t done = 0; done < n; done += kChunk) {
            int64_t m = n - done < kChunk ? n - done : kChunk;
            for (int64_t i = 0; i < m; i++) buf[i] = p[done + i] != 0;
            column_fold<Op, uint8_t, A>(buf, m, (A*)acc + done);
        }
    } else {
        column_fold<Op, S, A>((const S*)p, n, (A*)acc);
    }
}

// ---- table ------------------------------------------------------------------------------------

template <class Fold, int CLS, int... DTs>
void put_rows(KernelTable* t, int op) {
    ((t->row_reduce[op][DTs][CLS] = &row_loop<Fold, DTs, CLS>), ...);
}

template <int Op, int CLS, int... DTs>
void put_columns(KernelTable* t) {
    ((t->column_reduce[Op][DTs][CLS] = &column_loop<Op, DTs, CLS>), ...);
}

#define PJ_INTS PJ_BOOL, PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64
#define PJ_FLOATS PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32, PJ_FLOAT64

}  // namespace

void fill_reduce(KernelTable* t) {
    // SUM/PROD: double accumulators for float outputs (any input), int64 for integer outputs.
    put_rows<RowSum, ACC_DOUBLE, PJ_INTS, PJ_FLOATS>(t, PJ_SUM);
    put_rows<RowSum, ACC_INT, PJ_INTS>(t, PJ_SUM);
    put_rows<RowProd, ACC_DOUBLE, PJ_INTS, PJ_FLOATS>(t, PJ_PROD);
    put_rows<RowProd, ACC_INT, PJ_INTS>(t, PJ_PROD);
    put_rows<RowExtreme<true>, ACC_DOUBLE, PJ_FLOATS>(t, PJ_MAX);
    put_rows<RowExtreme<true>, ACC_INT, PJ_INTS>(t, PJ_MAX);
    put_rows<RowExtreme<false>, ACC_DOUBLE, PJ_FLOATS>(t, PJ_MIN);
    put_rows<RowExtreme<false>, ACC_INT, PJ_INTS>(t, PJ_MIN);
    put_rows<RowArgExtreme<true>, ACC_DOUBLE, PJ_FLOATS>(t, PJ_ARGMAX);
    put_rows<RowArgExtreme<true>, ACC_INT, PJ_INTS>(t, PJ_ARGMAX);
    put_rows<RowArgExtreme<false>, ACC_DOUBLE, PJ_FLOATS>(t, PJ_ARGMIN);
    put_rows<RowArgExtreme<false>, ACC_INT, PJ_INTS>(t, PJ_ARGMIN);
    put_rows<RowAnyAll<false>, ACC_INT, PJ_INTS, PJ_FLOATS>(t, PJ_ANY);
    put_rows<RowAnyAll<true>, ACC_INT, PJ_INTS, PJ_FLOATS>(t, PJ_ALL);

    put_columns<PJ_SUM, ACC_DOUBLE, PJ_INTS, PJ_FLOATS>(t);
    put_columns<PJ_SUM, ACC_INT, PJ_INTS>(t);
    put_columns<PJ_PROD, ACC_DOUBLE, PJ_INTS, PJ_FLOATS>(t);
    put_columns<PJ_PROD, ACC_INT, PJ_INTS>(t);
    put_columns<PJ_MAX, ACC_DOUBLE, PJ_FLOATS>(t);
    put_columns<PJ_MAX, ACC_INT, PJ_INTS>(t);
    put_columns<PJ_MIN, ACC_DOUBLE, PJ_FLOATS>(t);
    put_columns<PJ_MIN, ACC_INT, PJ_INTS>(t);
    put_columns<PJ_ANY, ACC_INT, PJ_INTS, PJ_FLOATS>(t);
    put_columns<PJ_ALL, ACC_INT, PJ_INTS, PJ_FLOATS>(t);
}

}  // namespace pj::cpu::PJ_ISA_NS
