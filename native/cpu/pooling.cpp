// Max and average pooling over 2-D windows of channels_last images (x [N, H, W, C] -> out
// [N, OH, OW, C]). Per output position the taps are visited in row-major order with the channels
// innermost (contiguous for channels_last, so the compare/add loop vectorises); padding taps are
// skipped. MAX keeps the first largest value (a NaN beats everything) and can write its row-major
// index into x, which the backward pass scatter-adds into; AVG sums in double, as the reference.
#include <immintrin.h>
#include <string.h>

#include <vector>

#include "kernels.h"
#include "pyj4_cpu_layers.h"
#include "thread_pool.h"
#include "window_check.h"

using namespace pj;
using namespace pj::cpu;

// The AVX2 function lives in pj::cpu::avx2, as the per-ISA kernels do (tests/check_isa_isolation.sh
// checks that no other function holds AVX instructions).
namespace pj::cpu::avx2 {
namespace {

/**
 * max_pool_inside for float32 on AVX2, any channel count: per output position, channels 8 at a
 * time in one vector (masked loads and stores for the last ones, so nothing outside x, out or
 * argmax is touched), the indices as two vectors of 4 int64. Same selection rule, same tap order.
 */
__attribute__((target("avx2"))) void max_pool_inside_avx2(const float* x, const int64_t* xs, const pj_window& w, float* out, const int64_t* os,
                                                          int64_t* arg, const int64_t* as, int64_t H, int64_t W, int64_t C, int64_t OH,
                                                          int64_t OW, int64_t begin, int64_t end) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int64_t r = begin; r < end; r++) {
        const int64_t n = r / OH, oh = r % OH;
        for (int64_t ow = 0; ow < OW; ow++) {
            for (int64_t c0 = 0; c0 < C; c0 += 8) {
                const int64_t lanes = C - c0 < 8 ? C - c0 : 8;
                const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)lanes), lane);
                const __m256i mask_lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(mask));
                const __m256i mask_hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(mask, 1));
                __m256 best = _mm256_setzero_ps();
                __m256i at_lo = _mm256_setzero_si256(), at_hi = _mm256_setzero_si256();
                for (int64_t kh = 0; kh < w.kernel_h; kh++) {
                    const int64_t h = oh * w.stride_h + kh * w.dilation_h;
                    for (int64_t kw = 0; kw < w.kernel_w; kw++) {
                        const int64_t ww = ow * w.stride_w + kw * w.dilation_w;
                        const float* src = x + n * xs[0] + h * xs[1] + ww * xs[2] + c0;
                        const __m256 v = lanes == 8 ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, mask);
                        const int64_t flat = ((n * H + h) * W + ww) * C + c0;
                        const __m256i f_lo = _mm256_add_epi64(_mm256_set1_epi64x(flat), _mm256_setr_epi64x(0, 1, 2, 3));
                        const __m256i f_hi = _mm256_add_epi64(_mm256_set1_epi64x(flat), _mm256_setr_epi64x(4, 5, 6, 7));
                        if (kh == 0 && kw == 0) {
                            best = v, at_lo = f_lo, at_hi = f_hi;
                            continue;
                        }
                        // take = best is not NaN and (v > best or v is NaN)
                        const __m256 take = _mm256_and_ps(_mm256_cmp_ps(best, best, _CMP_ORD_Q),
                                                          _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
                        best = _mm256_blendv_ps(best, v, take);
                        const __m256i t = _mm256_castps_si256(take);
                        at_lo = _mm256_blendv_epi8(at_lo, f_lo, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(t)));
                        at_hi = _mm256_blendv_epi8(at_hi, f_hi, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(t, 1)));
                    }
                }
                float* dst = out + n * os[0] + oh * os[1] + ow * os[2] + c0;
                if (lanes == 8) _mm256_storeu_ps(dst, best);
                else _mm256_maskstore_ps(dst, mask, best);
                if (arg != nullptr) {
                    long long* a = (long long*)(arg + n * as[0] + oh * as[1] + ow * as[2] + c0);
                    _mm256_maskstore_epi64(a, mask_lo, at_lo);
                    _mm256_maskstore_epi64(a + 4, mask_hi, at_hi);
                }
            }
        }
    }
}

}  // namespace
}  // namespace pj::cpu::avx2

namespace {

/**
 * Pooling over dense channels: per output position, the window's valid rows and columns are found
 * once (no per-tap bounds checks), and each tap updates C running values in a branch-free loop.
 */
template <class T>
void pool_dense(int kind, const T* x, const int64_t* xs, const pj_window& w, T* out, const int64_t* os, int64_t* arg, const int64_t* as,
                int64_t H, int64_t W, int64_t C, int64_t N, int64_t OH, int64_t OW) {
    auto rows = [&](int64_t begin, int64_t end) {
        std::vector<double> sum(kind == PJ_POOL_AVG ? C : 0);
        // The argmax of a window while it is being scanned: written to arg at the end. Kept on the
        // stack for the usual channel counts (a heap vector's reloads cost as much as the compares).
        int64_t local[256];
        std::vector<int64_t> where_(arg != nullptr && C > 256 ? C : 0);
        int64_t* __restrict where = C > 256 ? where_.data() : local;
        for (int64_t r = begin; r < end; r++) {
            const int64_t n = r / OH, oh = r % OH;
            const int64_t h0 = oh * w.stride_h - w.pad_top;
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t w0 = ow * w.stride_w - w.pad_left;
                T* __restrict best = out + n * os[0] + oh * os[1] + ow * os[2];
                int64_t count = 0;
                for (int64_t kh = 0; kh < w.kernel_h; kh++) {
                    const int64_t h = h0 + kh * w.dilation_h;
                    if (h < 0 || h >= H) continue;
                    for (int64_t kw = 0; kw < w.kernel_w; kw++) {
                        const int64_t ww = w0 + kw * w.dilation_w;
                        if (ww < 0 || ww >= W) continue;
                        const T* __restrict src = x + n * xs[0] + h * xs[1] + ww * xs[2];
                        const int64_t flat = ((n * H + h) * W + ww) * C;
                        if (kind == PJ_POOL_AVG) {
                            if (count == 0) for (int64_t c = 0; c < C; c++) sum[c] = (double)src[c];
                            else for (int64_t c = 0; c < C; c++) sum[c] += (double)src[c];
                        } else if (count == 0) {
                            for (int64_t c = 0; c < C; c++) best[c] = src[c];
                            if (arg != nullptr) for (int64_t c = 0; c < C; c++) where[c] = flat + c;
                        } else if (arg == nullptr) {
                            for (int64_t c = 0; c < C; c++) {
                                const T v = src[c], b = best[c];
                                best[c] = b == b && (v > b || v != v) ? v : b;
                            }
                        } else {
                            for (int64_t c = 0; c < C; c++) {
                                const T v = src[c], b = best[c];
                                const bool take = b == b && (v > b || v != v);
                                best[c] = take ? v : b;
                                where[c] = take ? flat + c : where[c];
                            }
                        }
                        count++;
                    }
                }
                if (kind == PJ_POOL_AVG) {
                    for (int64_t c = 0; c < C; c++) best[c] = (T)(sum[c] / (double)count);
                } else if (arg != nullptr) {
                    int64_t* __restrict a = arg + n * as[0] + oh * as[1] + ow * as[2];
                    for (int64_t c = 0; c < C; c++) a[c] = where[c];
                }
            }
        }
    };
    const int64_t per_row = OW * w.kernel_h * w.kernel_w * C > 0 ? OW * w.kernel_h * w.kernel_w * C : 1;
    parallel_for(N * OH, 32768 / per_row > 0 ? 32768 / per_row : 1, rows);
}

/**
 * MAX pooling whose windows all lie inside x (no padding taps), C dense channels known at compile
 * time: per output position the running values and their indices stay in registers while the taps
 * are visited (in the general path's row-major order, so ties and NaNs resolve the same way), and
 * are stored once. Bitwise logic and masks instead of branches: whether a tap wins is data-dependent.
 */
template <class T, bool kArg, int C>
void max_pool_inside(const T* x, const int64_t* xs, const pj_window& w, T* out, const int64_t* os, int64_t* arg, const int64_t* as,
                     int64_t H, int64_t W, int64_t N, int64_t OH, int64_t OW) {
    auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; r++) {
            const int64_t n = r / OH, oh = r % OH;
            for (int64_t ow = 0; ow < OW; ow++) {
                T best[C];
                int64_t where[C];
                {  // the first tap, (0, 0)
                    const T* __restrict src = x + n * xs[0] + oh * w.stride_h * xs[1] + ow * w.stride_w * xs[2];
                    const int64_t flat = ((n * H + oh * w.stride_h) * W + ow * w.stride_w) * C;
                    for (int c = 0; c < C; c++) best[c] = src[c], where[c] = flat + c;
                }
                for (int64_t kh = 0; kh < w.kernel_h; kh++) {
                    const int64_t h = oh * w.stride_h + kh * w.dilation_h;
                    for (int64_t kw = kh == 0 ? 1 : 0; kw < w.kernel_w; kw++) {
                        const int64_t ww = ow * w.stride_w + kw * w.dilation_w;
                        const T* __restrict src = x + n * xs[0] + h * xs[1] + ww * xs[2];
                        const int64_t flat = ((n * H + h) * W + ww) * C;
                        for (int c = 0; c < C; c++) {
                            const T v = src[c], o = best[c];
                            const bool take = (o == o) & ((v > o) | (v != v));
                            best[c] = take ? v : o;
                            if (kArg) {
                                const int64_t mask = -(int64_t)take;
                                where[c] = ((flat + c) & mask) | (where[c] & ~mask);
                            }
                        }
                    }
                }
                T* __restrict dst = out + n * os[0] + oh * os[1] + ow * os[2];
                for (int c = 0; c < C; c++) dst[c] = best[c];
                if (kArg) {
                    int64_t* __restrict at = arg + n * as[0] + oh * as[1] + ow * as[2];
                    for (int c = 0; c < C; c++) at[c] = where[c];
                }
            }
        }
    };
    const int64_t per_row = OW * w.kernel_h * w.kernel_w * C > 0 ? OW * w.kernel_h * w.kernel_w * C : 1;
    parallel_for(N * OH, 32768 / per_row > 0 ? 32768 / per_row : 1, rows);
}

/** max_pool_inside for the usual channel counts; false (nothing done) for others. */
template <class T>
bool max_pool_inside_dispatch(const T* x, const int64_t* xs, const pj_window& w, T* out, const int64_t* os, int64_t* arg, const int64_t* as,
                              int64_t H, int64_t W, int64_t C, int64_t N, int64_t OH, int64_t OW) {
    if (sizeof(T) == 4 && strcmp(kernels().isa, "baseline") != 0) {
        auto rows = [&](int64_t begin, int64_t end) {
            avx2::max_pool_inside_avx2((const float*)x, xs, w, (float*)out, os, arg, as, H, W, C, OH, OW, begin, end);
        };
        const int64_t per_row = OW * w.kernel_h * w.kernel_w * C > 0 ? OW * w.kernel_h * w.kernel_w * C : 1;
        parallel_for(N * OH, 32768 / per_row > 0 ? 32768 / per_row : 1, rows);
        return true;
    }
#define PJ_POOL_CASE(k)                                                                                  \
    case k:                                                                                              \
        if (arg != nullptr) max_pool_inside<T, true, k>(x, xs, w, out, os, arg, as, H, W, N, OH, OW); \
        else max_pool_inside<T, false, k>(x, xs, w, out, os, arg, as, H, W, N, OH, OW);               \
        return true;
    switch (C) {
        PJ_POOL_CASE(1)
        PJ_POOL_CASE(2)
        PJ_POOL_CASE(3)
        PJ_POOL_CASE(4)
        PJ_POOL_CASE(6)
        PJ_POOL_CASE(8)
        PJ_POOL_CASE(16)
        PJ_POOL_CASE(32)
        PJ_POOL_CASE(64)
        default:
            return false;
    }
#undef PJ_POOL_CASE
}

/** Every window along one axis lies inside the input: no padding taps. */
bool inside(int64_t in, int64_t out, int stride, int pad, int kernel, int dilation) {
    return pad == 0 && (out - 1) * stride + (int64_t)(kernel - 1) * dilation < in;
}

template <class T>
void pool(int kind, const pj_tensor& xt, const pj_window& w, const pj_tensor& ot, const pj_tensor* at) {
    const T* x = (const T*)xt.data + xt.offset;
    T* out = (T*)ot.data + ot.offset;
    int64_t* arg = at != nullptr ? (int64_t*)at->data + at->offset : nullptr;
    const int64_t* xs = xt.strides;
    const int64_t* os = ot.strides;
    const int64_t* as = at != nullptr ? at->strides : nullptr;
    const int64_t H = xt.shape[1], W = xt.shape[2], C = xt.shape[3];
    const int64_t N = ot.shape[0], OH = ot.shape[1], OW = ot.shape[2];
    const int64_t xc = xs[3];
    // Dense channels_last rows (the usual case): each tap's channels are one contiguous run.
    if (xc == 1 && os[3] == 1 && (arg == nullptr || as[3] == 1)) {
        if (kind == PJ_POOL_MAX && inside(H, OH, w.stride_h, w.pad_top, w.kernel_h, w.dilation_h) &&
            inside(W, OW, w.stride_w, w.pad_left, w.kernel_w, w.dilation_w) &&
            max_pool_inside_dispatch<T>(x, xs, w, out, os, arg, as, H, W, C, N, OH, OW))
            return;
        pool_dense<T>(kind, x, xs, w, out, os, arg, as, H, W, C, N, OH, OW);
        return;
    }
    auto rows = [&](int64_t begin, int64_t end) {
        std::vector<T> best(C);
        std::vector<double> sum(C);
        std::vector<int64_t> where(C);
        for (int64_t r = begin; r < end; r++) {
            const int64_t n = r / OH, oh = r % OH;
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t count = 0;
                for (int64_t kh = 0; kh < w.kernel_h; kh++) {
                    const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                    if (h < 0 || h >= H) continue;
                    for (int64_t kw = 0; kw < w.kernel_w; kw++) {
                        const int64_t ww = ow * w.stride_w - w.pad_left + kw * w.dilation_w;
                        if (ww < 0 || ww >= W) continue;
                        const T* src = x + n * xs[0] + h * xs[1] + ww * xs[2];
                        const int64_t flat = ((n * H + h) * W + ww) * C;
                        if (kind == PJ_POOL_AVG) {
                            if (count == 0) for (int64_t c = 0; c < C; c++) sum[c] = (double)src[c * xc];
                            else for (int64_t c = 0; c < C; c++) sum[c] += (double)src[c * xc];
                        } else if (count == 0) {
                            for (int64_t c = 0; c < C; c++) best[c] = src[c * xc], where[c] = flat + c;
                        } else {
                            // The first largest wins; a NaN beats everything and then stays.
                            for (int64_t c = 0; c < C; c++) {
                                const T v = src[c * xc], b = best[c];
                                const bool take = b == b && (v > b || v != v);
                                best[c] = take ? v : b;
                                where[c] = take ? flat + c : where[c];
                            }
                        }
                        count++;
                    }
                }
                T* dst = out + n * os[0] + oh * os[1] + ow * os[2];
                if (kind == PJ_POOL_AVG) {
                    for (int64_t c = 0; c < C; c++) dst[c * os[3]] = (T)(sum[c] / (double)count);
                } else {
                    for (int64_t c = 0; c < C; c++) dst[c * os[3]] = best[c];
                    if (arg != nullptr) {
                        int64_t* a = arg + n * as[0] + oh * as[1] + ow * as[2];
                        for (int64_t c = 0; c < C; c++) a[c * as[3]] = where[c];
                    }
                }
            }
        }
    };
    const int64_t per_row = OW * w.kernel_h * w.kernel_w * C > 0 ? OW * w.kernel_h * w.kernel_w * C : 1;
    parallel_for(N * OH, 32768 / per_row > 0 ? 32768 / per_row : 1, rows);
}

/** Every output position along one axis has a tap inside the input (a window fully in the padding has no value). */
void check_windows_nonempty(const std::string& op, const char* axis, int64_t in, int64_t out, int stride, int pad, int kernel, int dilation,
                            const pj_window& w) {
    for (int64_t o = 0; o < out; o++) {
        bool any = false;
        for (int k = 0; k < kernel && !any; k++) {
            const int64_t at = o * stride - pad + (int64_t)k * dilation;
            any = at >= 0 && at < in;
        }
        if (!any)
            fail(PJ_ERR_ARGUMENT, op + ": output position " + std::to_string(o) + " along " + axis + " has no tap inside the input of length " +
                                      std::to_string(in) + " (a window entirely in the padding). Received: " + window_str(w) +
                                      ", output length " + std::to_string(out));
    }
}

void validate(int kind, const pj_tensor* x, const pj_window* w, const pj_tensor* out, const pj_tensor* argmax) {
    if (kind < 0 || kind >= PJ_POOL_KIND_COUNT)
        fail(PJ_ERR_ARGUMENT, "pool: expected a kind in [0, " + std::to_string(PJ_POOL_KIND_COUNT) + "). Received: " + std::to_string(kind));
    const std::string op = kind == PJ_POOL_MAX ? "pool MAX" : "pool AVG";
    check_window(op, w);
    check_operands(op, {{"x", x, false}, {"out", out, true}}, false);
    std::initializer_list<Operand> all = {{"x", x}, {"out", out}};
    if (x->rank != 4 || out->rank != 4) fail_shape(op, "x [N, H, W, C] and out [N, OH, OW, C]", all);
    if (x->shape[0] != out->shape[0] || x->shape[3] != out->shape[3]) fail_shape(op, "out [N, OH, OW, C] with x's N and C", all);
    if (!is_float32_or_64(x->dtype) || out->dtype != x->dtype) fail_dtype(op, "x and out of one dtype, float32 or float64", all);
    if (numel(*out) > 0 && numel(*x) > 0 && ranges_intersect(*out, *x))
        fail(PJ_ERR_ARGUMENT, op + ": expected out apart from x (an output must not share memory with another operand). Received: " + received(all));
    if (argmax != nullptr) {
        if (kind != PJ_POOL_MAX) fail(PJ_ERR_ARGUMENT, op + ": only MAX pooling writes argmax indices");
        check_operands(op, {{"argmax", argmax, true}}, false);
        std::initializer_list<Operand> with = {{"out", out}, {"argmax", argmax}};
        if (!same_shape(*out, *argmax)) fail_shape(op, "argmax of out's shape", with);
        if (argmax->dtype != PJ_INT64) fail_dtype(op, "an int64 argmax", with);
        if (numel(*argmax) > 0 && ((numel(*x) > 0 && ranges_intersect(*argmax, *x)) || ranges_intersect(*argmax, *out)))
            fail(PJ_ERR_ARGUMENT, op + ": expected argmax apart from x and out. Received: " + received(with));
    }
    if (numel(*out) > 0) {
        check_windows_nonempty(op, "H", x->shape[1], out->shape[1], w->stride_h, w->pad_top, w->kernel_h, w->dilation_h, *w);
        check_windows_nonempty(op, "W", x->shape[2], out->shape[2], w->stride_w, w->pad_left, w->kernel_w, w->dilation_w, *w);
    }
}

}  // namespace

extern "C" int pj_cpu_pool(int32_t kind, const pj_tensor* x, const pj_window* window, const pj_tensor* out, const pj_tensor* argmax) {
    return guarded("pool", [&] {
        validate(kind, x, window, out, argmax);
        if (numel(*out) == 0) return;
        if (x->dtype == PJ_FLOAT32) pool<float>(kind, *x, *window, *out, argmax);
        else pool<double>(kind, *x, *window, *out, argmax);
    });
}
