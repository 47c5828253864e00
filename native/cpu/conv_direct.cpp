// Direct 2-D convolution for layers with few input channels (a first layer on 1- or 3-channel
// images): out = conv(x, kernel) + bias, and the kernel's (and bias') gradient. im2col + a matrix
// product would stream a [rows, KH * KW * C] matrix through memory three times (write, product,
// gradient product) for a handful of multiply-adds per element, and the products' shapes (N = F of
// 6 or so) are ones BLAS runs slowly. Here each output row (n, oh) gathers its windows into a small
// buffer that stays in L1, per tap a run of output columns (OW innermost, zeros in the padding),
// and the products run over it with vectors along OW and a block of 4, 6 or 8 filters in registers.
//
// Sums: per output element, taps in (kh, kw, c) order (FMA where the CPU has it). The gradient is
// summed per fixed block of rows (independent of the thread count, so results do not depend on
// it), then over blocks in order, in double.
#include <string.h>

#include <algorithm>
#include <vector>

#include "kernels.h"
#include "pyj4_cpu_layers.h"
#include "thread_pool.h"
#include "window_check.h"

using namespace pj;
using namespace pj::cpu;

namespace {

#define PJ_ALWAYS_INLINE inline __attribute__((always_inline))
#define PJ_AVX2 __attribute__((target("avx2,fma")))

constexpr int64_t kGradientRows = 32;  // output rows the gradient loops take at a time

template <class T>
struct Vec {
    typedef T type __attribute__((vector_size(32)));
    static constexpr int lanes = 32 / (int)sizeof(T);
};

/** The shapes of one convolution: x [N, H, W, C], kernel [KH, KW, C, F], out / dy [N, OH, OW, F]. */
struct Geometry {
    int64_t N, H, W, C, OH, OW, F, K;  // K = KH * KW * C taps per output
    int64_t owp;                       // OW rounded up to whole vectors
    int64_t fb;                        // filters per block: 4, 6 or 8
    int64_t fp;                        // F rounded up to whole filter blocks
    pj_window w;
};

/** Per-thread scratch for the output rows in hand: their window values, per tap where its OW values start. */
template <class T>
struct Scratch {
    std::vector<T> buf;
    std::vector<const T*> taps;
    std::vector<T> dyt;  // the gradient only: each row of dy transposed, [fp][owp]
};

/** Columns of the padded rows prepare_row builds for stride_w 1: every tap's window of owp columns fits. */
inline int64_t padded_width(const Geometry& g) { return g.owp + (int64_t)(g.w.kernel_w - 1) * g.w.dilation_w; }

inline int64_t scratch_size(const Geometry& g) {
    return g.w.stride_w == 1 ? (int64_t)g.w.kernel_h * g.C * padded_width(g) : g.K * g.owp;
}

/**
 * Points taps[t] (t = (kh, kw, c)) at owp values: taps[t][ow] = x[n, h, w, c] for output (oh, ow),
 * 0 in the padding. With stride_w 1 a tap's values are a shifted run of its image row, so the KH
 * rows are copied once, transposed to [C][columns] with zeros around (KW times less copying than
 * one run per tap); other strides copy one run per tap.
 */
template <class T>
PJ_ALWAYS_INLINE void prepare_row(const Geometry& g, const pj_tensor& xt, int64_t n, int64_t oh, T* __restrict buf, const T** taps) {
    const T* x = (const T*)xt.data + xt.offset;
    const int64_t* xs = xt.strides;
    const pj_window& w = g.w;
    if (w.stride_w == 1) {
        const int64_t wp = padded_width(g);
        // Padded column p holds x column p - pad_left.
        const int64_t lo = std::min<int64_t>(w.pad_left, wp), hi = std::min<int64_t>(w.pad_left + g.W, wp);
        for (int64_t kh = 0; kh < w.kernel_h; kh++) {
            const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
            const bool inside = h >= 0 && h < g.H;
            for (int64_t c = 0; c < g.C; c++) {
                T* __restrict dst = buf + (kh * g.C + c) * wp;
                if (!inside) {
                    for (int64_t p = 0; p < wp; p++) dst[p] = 0;
                } else {
                    const T* __restrict src = x + n * xs[0] + h * xs[1] + c * xs[3];
                    for (int64_t p = 0; p < lo; p++) dst[p] = 0;
                    if (xs[2] == 1) for (int64_t p = lo; p < hi; p++) dst[p] = src[p - w.pad_left];
                    else for (int64_t p = lo; p < hi; p++) dst[p] = src[(p - w.pad_left) * xs[2]];
                    for (int64_t p = std::max(lo, hi); p < wp; p++) dst[p] = 0;
                }
                for (int64_t kw = 0; kw < w.kernel_w; kw++) taps[(kh * w.kernel_w + kw) * g.C + c] = dst + kw * w.dilation_w;
            }
        }
        return;
    }
    int64_t t = 0;
    for (int64_t kh = 0; kh < w.kernel_h; kh++) {
        const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
        const bool row_inside = h >= 0 && h < g.H;
        for (int64_t kw = 0; kw < w.kernel_w; kw++) {
            // Column ow reads w = ow * stride_w + w0: inside x for ow in [lo, hi).
            const int64_t w0 = kw * w.dilation_w - w.pad_left, sw = w.stride_w;
            int64_t lo = w0 >= 0 ? 0 : (-w0 + sw - 1) / sw;
            int64_t hi = g.W - w0 <= 0 ? 0 : (g.W - w0 + sw - 1) / sw;
            if (hi > g.OW) hi = g.OW;
            if (!row_inside || lo > hi) lo = hi = 0;
            for (int64_t c = 0; c < g.C; c++, t++) {
                T* __restrict dst = buf + t * g.owp;
                for (int64_t ow = 0; ow < lo; ow++) dst[ow] = 0;
                if (hi > lo) {
                    const T* __restrict src = x + n * xs[0] + h * xs[1] + w0 * xs[2] + c * xs[3];
                    const int64_t step = sw * xs[2];
                    for (int64_t ow = lo; ow < hi; ow++) dst[ow] = src[ow * step];
                }
                for (int64_t ow = std::max(lo, hi); ow < g.owp; ow++) dst[ow] = 0;
                taps[t] = dst;
            }
        }
    }
}

/**
 * Output rows [begin, end): kp is the kernel packed [K][fp] (zeros past F), bias [fp] (zeros past
 * F, all zero without a bias).
 */
/**
 * Outputs (n, oh, ow0 .. ow0 + kVecs * L) x filters (f0 .. f0 + kFilters): bias plus every tap's
 * values times its kernel row, stored for the columns < OW and filters < F.
 */
template <class T, int kFilters, int kVecs>
PJ_ALWAYS_INLINE void forward_block(const Geometry& g, const T* const* taps, const T* __restrict kp, const T* __restrict bias, T* out,
                                    const int64_t* os, int64_t n, int64_t oh, int64_t ow0, int64_t f0) {
    typedef typename Vec<T>::type V;
    constexpr int L = Vec<T>::lanes;
    V acc[kVecs][kFilters];
    for (int v = 0; v < kVecs; v++)
        for (int f = 0; f < kFilters; f++) acc[v][f] = V{} + bias[f0 + f];
    for (int64_t t = 0; t < g.K; t++) {
        V xv[kVecs];
        for (int v = 0; v < kVecs; v++) memcpy(&xv[v], taps[t] + ow0 + v * L, sizeof(V));
        const T* k = kp + t * g.fp + f0;
        for (int f = 0; f < kFilters; f++)
            for (int v = 0; v < kVecs; v++) acc[v][f] += xv[v] * k[f];
    }
    const int64_t filters = std::min<int64_t>(kFilters, g.F - f0);
    for (int v = 0; v < kVecs; v++) {
        const int64_t first = ow0 + v * L, lanes = std::min<int64_t>(L, g.OW - first);
        T* dst = out + n * os[0] + oh * os[1] + first * os[2] + f0 * os[3];
        if (os[3] == 1) {
            for (int64_t l = 0; l < lanes; l++)
                for (int64_t f = 0; f < filters; f++) dst[l * os[2] + f] = acc[v][f][l];
        } else {
            for (int64_t l = 0; l < lanes; l++)
                for (int64_t f = 0; f < filters; f++) dst[l * os[2] + f * os[3]] = acc[v][f][l];
        }
    }
}

template <class T, int kFilters>
PJ_ALWAYS_INLINE void forward_rows(const Geometry& g, const pj_tensor& xt, const T* __restrict kp, const T* __restrict bias,
                                   const pj_tensor& ot, Scratch<T>& s, int64_t begin, int64_t end) {
    constexpr int L = Vec<T>::lanes;
    T* out = (T*)ot.data + ot.offset;
    const int64_t* os = ot.strides;
    const T** taps = s.taps.data();
    for (int64_t r = begin; r < end; r++) {
        const int64_t n = r / g.OH, oh = r % g.OH;
        prepare_row<T>(g, xt, n, oh, s.buf.data(), taps);
        for (int64_t f0 = 0; f0 < g.fp; f0 += kFilters) {
            // Two vectors of columns at a time where 2 x kFilters sums fit in registers: each
            // kernel value broadcast serves both.
            constexpr int kVecs = kFilters <= 6 ? 2 : 1;
            for (int64_t ow0 = 0; ow0 < g.OW; ow0 += kVecs * L) {
                if (kVecs == 2 && ow0 + 2 * L <= g.owp) forward_block<T, kFilters, 2>(g, taps, kp, bias, out, os, n, oh, ow0, f0);
                else {
                    forward_block<T, kFilters, 1>(g, taps, kp, bias, out, os, n, oh, ow0, f0);
                    if (kVecs == 2 && ow0 + L < g.OW) forward_block<T, kFilters, 1>(g, taps, kp, bias, out, os, n, oh, ow0 + L, f0);
                }
            }
        }
    }
}

/**
 * Adds rows [begin, end) into acc [K][fp] vectors of L lanes (lane sums pending) and bias_acc [fp]
 * such vectors: acc[t][f] += tap t's value * dy[ow][f] over the row's columns. Every vector is
 * read and written with memcpy: no alignment assumed (a std::vector of a vector type drops the
 * type's alignment).
 */
/**
 * acc[t + u][f0 + f] += taps[i][t + u] * dyt[i][f0 + f] over the block's rows i, for kTaps taps and
 * kFilters filters: the partial sums stay in registers over all rows; each dy vector loaded serves
 * kTaps taps.
 */
template <class T, int kFilters, int kTaps>
PJ_ALWAYS_INLINE void gradient_block(const Geometry& g, T* __restrict acc, const T* const* taps, const T* dyt, int64_t dyt_size, int64_t count,
                                     int64_t t, int64_t f0, const T* keep_bits) {
    typedef typename Vec<T>::type V;
    typedef typename Vec<int64_t>::type VL;
    constexpr int L = Vec<T>::lanes;
    const int64_t J = g.owp / L;
    VL keep;
    memcpy(&keep, keep_bits, sizeof keep);
    V a[kTaps][kFilters];
    for (int u = 0; u < kTaps; u++)
        for (int f = 0; f < kFilters; f++) memcpy(&a[u][f], acc + ((t + u) * g.fp + f0 + f) * L, sizeof(V));
    for (int64_t i = 0; i < count; i++) {
        const T* d0 = dyt + i * dyt_size + f0 * g.owp;
        for (int64_t j = 0; j < J; j++) {
            V xv[kTaps];
            for (int u = 0; u < kTaps; u++) memcpy(&xv[u], taps[i * g.K + t + u] + j * L, sizeof(V));
            if (j == J - 1)  // the lanes past OW: 0
                for (int u = 0; u < kTaps; u++) xv[u] = (V)((VL)xv[u] & keep);
            for (int f = 0; f < kFilters; f++) {
                V d;
                memcpy(&d, d0 + f * g.owp + j * L, sizeof d);
                for (int u = 0; u < kTaps; u++) a[u][f] += xv[u] * d;
            }
        }
    }
    for (int u = 0; u < kTaps; u++)
        for (int f = 0; f < kFilters; f++) memcpy(acc + ((t + u) * g.fp + f0 + f) * L, &a[u][f], sizeof(V));
}

template <class T, int kFilters>
PJ_ALWAYS_INLINE void gradient_rows(const Geometry& g, const pj_tensor& xt, const pj_tensor& dyt_, T* __restrict acc, T* __restrict bias_acc,
                                    Scratch<T>& s, int64_t begin, int64_t end) {
    typedef typename Vec<T>::type V;
    constexpr int L = Vec<T>::lanes;
    const T* dy = (const T*)dyt_.data + dyt_.offset;
    const int64_t* ds = dyt_.strides;
    const int64_t J = g.owp / L;
    T* __restrict dyt = s.dyt.data();
    const T** taps = s.taps.data();
    // Columns past OW may read real x values (the padded rows run on): the last vector keeps only
    // lanes < OW, so that an infinite x there cannot turn 0 * inf into a NaN.
    const int64_t tail = g.OW - (J - 1) * L;
    T keep[L];  // bit patterns: all ones for the lanes < OW of the last vector, zeros past it
    for (int l = 0; l < L; l++) {
        const int64_t bits = l < tail ? -1 : 0;
        memcpy(&keep[l], &bits, sizeof(T));  // T is 4 or 8 bytes: the low bytes of -1 or 0
    }
    // Rows kGradientRows at a time: the partial sums of a (tap, filter block) stay in registers
    // across all of them (a row alone has only OW / L vectors of work per tap).
    const int64_t buf_size = scratch_size(g), dyt_size = g.fp * g.owp;
    for (int64_t r0 = begin; r0 < end; r0 += kGradientRows) {
        const int64_t count = std::min<int64_t>(kGradientRows, end - r0);
        for (int64_t i = 0; i < count; i++) {
            const int64_t n = (r0 + i) / g.OH, oh = (r0 + i) % g.OH;
            prepare_row<T>(g, xt, n, oh, s.buf.data() + i * buf_size, taps + i * g.K);
            T* rowt = dyt + i * dyt_size;
            for (int64_t f = 0; f < g.fp; f++) {  // dy's row transposed: [fp][owp], zeros past F and OW
                T* d = rowt + f * g.owp;
                if (f < g.F) {
                    const T* src = dy + n * ds[0] + oh * ds[1] + f * ds[3];
                    for (int64_t ow = 0; ow < g.OW; ow++) d[ow] = src[ow * ds[2]];
                    for (int64_t ow = g.OW; ow < g.owp; ow++) d[ow] = 0;
                } else {
                    for (int64_t ow = 0; ow < g.owp; ow++) d[ow] = 0;
                }
            }
            for (int64_t f = 0; f < g.F; f++) {
                V sum;
                memcpy(&sum, bias_acc + f * L, sizeof sum);
                for (int64_t j = 0; j < J; j++) {
                    V d;
                    memcpy(&d, rowt + f * g.owp + j * L, sizeof d);
                    sum += d;
                }
                memcpy(bias_acc + f * L, &sum, sizeof sum);
            }
        }
        // Two taps at a time where 2 x kFilters partial sums fit in the 16 vector registers.
        constexpr int kTaps = kFilters <= 6 ? 2 : 1;
        for (int64_t f0 = 0; f0 < g.fp; f0 += kFilters) {
            int64_t t = 0;
            for (; t + kTaps <= g.K; t += kTaps) gradient_block<T, kFilters, kTaps>(g, acc, taps, dyt, dyt_size, count, t, f0, keep);
            for (; t < g.K; t++) gradient_block<T, kFilters, 1>(g, acc, taps, dyt, dyt_size, count, t, f0, keep);
        }
    }
}

// The same loops compiled twice: for AVX2 + FMA, and for the baseline x86-64 the library targets;
// each for the three filter block sizes.
#define PJ_BY_FILTERS(...)                       \
    do {                                         \
        if (g.fb == 4) {                         \
            constexpr int k = 4;                 \
            __VA_ARGS__;                         \
        } else if (g.fb == 6) {                  \
            constexpr int k = 6;                 \
            __VA_ARGS__;                         \
        } else {                                 \
            constexpr int k = 8;                 \
            __VA_ARGS__;                         \
        }                                        \
    } while (0)
template <class T>
void forward_rows_base(const Geometry& g, const pj_tensor& xt, const T* kp, const T* bias, const pj_tensor& ot, Scratch<T>& s, int64_t begin,
                       int64_t end) {
    PJ_BY_FILTERS(forward_rows<T, k>(g, xt, kp, bias, ot, s, begin, end));
}
template <class T>
void gradient_rows_base(const Geometry& g, const pj_tensor& xt, const pj_tensor& dy, T* acc, T* bias_acc, Scratch<T>& s, int64_t begin,
                        int64_t end) {
    PJ_BY_FILTERS(gradient_rows<T, k>(g, xt, dy, acc, bias_acc, s, begin, end));
}

}  // namespace

// The AVX2 copies live in pj::cpu::avx2, as the per-ISA kernels do (tests/check_isa_isolation.sh
// checks that no other function holds AVX instructions). Vectors cross these calls only by
// pointer: no vector argument or return value, so no ABI issue.
namespace pj::cpu::avx2 {
namespace {
PJ_AVX2 void forward_rows_avx2(const Geometry& g, const pj_tensor& xt, const float* kp, const float* bias, const pj_tensor& ot,
                               Scratch<float>& s, int64_t begin, int64_t end) {
    PJ_BY_FILTERS(forward_rows<float, k>(g, xt, kp, bias, ot, s, begin, end));
}
PJ_AVX2 void forward_rows_avx2(const Geometry& g, const pj_tensor& xt, const double* kp, const double* bias, const pj_tensor& ot,
                               Scratch<double>& s, int64_t begin, int64_t end) {
    PJ_BY_FILTERS(forward_rows<double, k>(g, xt, kp, bias, ot, s, begin, end));
}
PJ_AVX2 void gradient_rows_avx2(const Geometry& g, const pj_tensor& xt, const pj_tensor& dy, float* acc, float* bias_acc, Scratch<float>& s,
                                int64_t begin, int64_t end) {
    PJ_BY_FILTERS(gradient_rows<float, k>(g, xt, dy, acc, bias_acc, s, begin, end));
}
PJ_AVX2 void gradient_rows_avx2(const Geometry& g, const pj_tensor& xt, const pj_tensor& dy, double* acc, double* bias_acc, Scratch<double>& s,
                                int64_t begin, int64_t end) {
    PJ_BY_FILTERS(gradient_rows<double, k>(g, xt, dy, acc, bias_acc, s, begin, end));
}
}  // namespace
}  // namespace pj::cpu::avx2

namespace {

/** Whether the AVX2 copies may run: the CPU has AVX2 and FMA and no test or benchmark chose the baseline. */
bool use_avx2() { return strcmp(kernels().isa, "baseline") != 0; }

Geometry geometry(const pj_tensor& x, const pj_window& w, const pj_tensor& y) {
    Geometry g;
    g.N = x.shape[0], g.H = x.shape[1], g.W = x.shape[2], g.C = x.shape[3];
    g.OH = y.shape[1], g.OW = y.shape[2], g.F = y.shape[3];
    g.K = (int64_t)w.kernel_h * w.kernel_w * g.C;
    const int64_t L = 32 / (int64_t)(x.dtype == PJ_FLOAT32 ? 4 : 8);
    g.owp = (g.OW + L - 1) / L * L;
    g.fb = g.F <= 4 ? 4 : g.F <= 6 ? 6 : 8;
    g.fp = (g.F + g.fb - 1) / g.fb * g.fb;
    g.w = w;
    return g;
}

template <class T>
void forward(const pj_tensor& xt, const pj_tensor& kt, const pj_tensor* bt, const pj_window& w, const pj_tensor& ot) {
    const Geometry g = geometry(xt, w, ot);
    // The kernel packed [K][fp] and the bias [fp], zeros past F: every filter block is whole.
    std::vector<T> kp((size_t)(g.K * g.fp), T(0)), bias((size_t)g.fp, T(0));
    const T* k = (const T*)kt.data + kt.offset;
    const int64_t* ks = kt.strides;
    for (int64_t kh = 0, t = 0; kh < w.kernel_h; kh++)
        for (int64_t kw = 0; kw < w.kernel_w; kw++)
            for (int64_t c = 0; c < g.C; c++, t++)
                for (int64_t f = 0; f < g.F; f++) kp[t * g.fp + f] = k[kh * ks[0] + kw * ks[1] + c * ks[2] + f * ks[3]];
    if (bt != nullptr) {
        const T* b = (const T*)bt->data + bt->offset;
        for (int64_t f = 0; f < g.F; f++) bias[f] = b[f * bt->strides[0]];
    }
    const bool on_avx2 = use_avx2();
    auto rows = [&](int64_t begin, int64_t end) {
        Scratch<T> s;
        s.buf.resize((size_t)scratch_size(g));
        s.taps.resize((size_t)g.K);
        if (on_avx2) avx2::forward_rows_avx2(g, xt, kp.data(), bias.data(), ot, s, begin, end);
        else forward_rows_base<T>(g, xt, kp.data(), bias.data(), ot, s, begin, end);
    };
    const int64_t per_row = std::max<int64_t>(1, g.K * g.owp * g.fp);  // multiply-adds
    parallel_for(g.N * g.OH, std::max<int64_t>(1, 65536 / per_row), rows);
}

template <class T>
void kernel_gradient(const pj_tensor& xt, const pj_tensor& dy, const pj_window& w, const pj_tensor& dk, const pj_tensor* db) {
    constexpr int L = Vec<T>::lanes;
    const Geometry g = geometry(xt, w, dy);
    const int64_t rows = g.N * g.OH;
    // Fixed blocks of rows, at most 64 of them, each with its own partial sums.
    const int64_t block = std::max<int64_t>(16, (rows + 63) / 64);
    const int64_t blocks = rows == 0 ? 0 : (rows + block - 1) / block;
    const int64_t per_block = (g.K * g.fp + g.fp) * L;  // vectors of L lanes: the kernel's partial sums, then the bias'
    std::vector<T> partial((size_t)(blocks * per_block), T(0));
    const bool on_avx2 = use_avx2();
    auto run = [&](int64_t begin, int64_t end) {
        Scratch<T> s;
        s.buf.resize((size_t)(kGradientRows * scratch_size(g)));
        s.taps.resize((size_t)(kGradientRows * g.K));
        s.dyt.resize((size_t)(kGradientRows * g.fp * g.owp));
        for (int64_t b = begin; b < end; b++) {
            T* acc = partial.data() + b * per_block;
            const int64_t r0 = b * block, r1 = std::min(rows, r0 + block);
            if (on_avx2) avx2::gradient_rows_avx2(g, xt, dy, acc, acc + g.K * g.fp * L, s, r0, r1);
            else gradient_rows_base<T>(g, xt, dy, acc, acc + g.K * g.fp * L, s, r0, r1);
        }
    };
    parallel_for(blocks, 1, run);
    // Blocks in order, lanes in order, in double.
    auto total = [&](int64_t at) {
        double s = 0;
        for (int64_t b = 0; b < blocks; b++)
            for (int l = 0; l < L; l++) s += (double)partial[(size_t)(b * per_block + at * L + l)];
        return s;
    };
    T* k = (T*)dk.data + dk.offset;
    const int64_t* ks = dk.strides;
    for (int64_t kh = 0, t = 0; kh < w.kernel_h; kh++)
        for (int64_t kw = 0; kw < w.kernel_w; kw++)
            for (int64_t c = 0; c < g.C; c++, t++)
                for (int64_t f = 0; f < g.F; f++) k[kh * ks[0] + kw * ks[1] + c * ks[2] + f * ks[3]] = (T)total(t * g.fp + f);
    if (db != nullptr) {
        T* b = (T*)db->data + db->offset;
        for (int64_t f = 0; f < g.F; f++) b[f * db->strides[0]] = (T)total(g.K * g.fp + f);
    }
}

bool overlap(const pj_tensor* a, const pj_tensor* b) { return a != nullptr && b != nullptr && numel(*a) > 0 && numel(*b) > 0 && ranges_intersect(*a, *b); }

/**
 * x [N, H, W, C], kernel [KH, KW, C, F] (the window's KH, KW), y [N, OH, OW, F] and bias [F] (or
 * null), one float32/float64 dtype; the written operands (the output y or kernel's gradient, bias)
 * apart from every other operand.
 */
void validate(const std::string& op, const pj_tensor* x, const pj_tensor* kernel, const pj_tensor* bias, const pj_window* w, const pj_tensor* y,
              bool forward) {
    check_window(op, w);
    const char* kname = forward ? "kernel" : "dkernel";
    const char* yname = forward ? "out" : "dy";
    const char* bname = forward ? "bias" : "dbias";
    check_operands(op, {{"x", x, false}, {kname, kernel, !forward}, {yname, y, forward}}, false);
    if (bias != nullptr) check_operands(op, {{bname, bias, !forward}}, false);
    std::initializer_list<Operand> all = {{"x", x}, {kname, kernel}, {yname, y}};
    if (x->rank != 4 || kernel->rank != 4 || y->rank != 4)
        fail_shape(op, std::string("x [N, H, W, C], ") + kname + " [KH, KW, C, F] and " + yname + " [N, OH, OW, F]", all);
    if (kernel->shape[0] != w->kernel_h || kernel->shape[1] != w->kernel_w || kernel->shape[2] != x->shape[3] || y->shape[0] != x->shape[0] ||
        y->shape[3] != kernel->shape[3])
        fail_shape(op, std::string(kname) + " [KH, KW, C, F] with the kernel of " + window_str(*w) + " and x's C, " + yname + " [N, OH, OW, F] with x's N", all);
    if (!is_float32_or_64(x->dtype) || kernel->dtype != x->dtype || y->dtype != x->dtype)
        fail_dtype(op, "operands of one dtype, float32 or float64", all);
    if (bias != nullptr) {
        std::initializer_list<Operand> with = {{kname, kernel}, {bname, bias}};
        if (bias->rank != 1 || bias->shape[0] != kernel->shape[3]) fail_shape(op, std::string(bname) + " [F] with the kernel's F", with);
        if (bias->dtype != x->dtype) fail_dtype(op, std::string(bname) + " of the kernel's dtype", with);
    }
    // Outputs apart from everything else.
    const pj_tensor* written[2] = {forward ? y : kernel, forward ? nullptr : bias};
    const pj_tensor* operands[4] = {x, kernel, y, bias};
    for (const pj_tensor* out : written)
        for (const pj_tensor* other : operands)
            if (out != nullptr && other != out && overlap(out, other))
                fail(PJ_ERR_ARGUMENT, op + ": expected the outputs apart from the other operands (an output must not share memory with another operand). Received: " +
                                          received(all));
}

}  // namespace

extern "C" int pj_cpu_conv2d(const pj_tensor* x, const pj_tensor* kernel, const pj_tensor* bias, const pj_window* window, const pj_tensor* out) {
    return guarded("conv2d", [&] {
        validate("conv2d", x, kernel, bias, window, out, true);
        if (numel(*out) == 0) return;
        if (x->dtype == PJ_FLOAT32) forward<float>(*x, *kernel, bias, *window, *out);
        else forward<double>(*x, *kernel, bias, *window, *out);
    });
}

extern "C" int pj_cpu_conv2d_kernel_grad(const pj_tensor* x, const pj_tensor* dy, const pj_window* window, const pj_tensor* dkernel,
                                         const pj_tensor* dbias) {
    return guarded("conv2dKernelGrad", [&] {
        validate("conv2dKernelGrad", x, dkernel, dbias, window, dy, false);
        if (numel(*dkernel) == 0 && (dbias == nullptr || numel(*dbias) == 0)) return;
        if (x->dtype == PJ_FLOAT32) kernel_gradient<float>(*x, *dy, *window, *dkernel, dbias);
        else kernel_gradient<double>(*x, *dy, *window, *dkernel, dbias);
    });
}
