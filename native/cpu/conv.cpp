// im2col and col2im: the data movement around a convolution computed as a matrix product
// (matmul.cpp runs the product through OpenBLAS). im2col copies each window's taps into a row of
// cols, zeros in the padding; col2im adds cols back into x, which is what the convolution's input
// gradient needs. Both split the work over threads by image rows (im2col) or images (col2im, so
// that no two threads add into one element and the sums keep the reference's order).
#include "pyj4_cpu_layers.h"
#include "thread_pool.h"
#include "window_check.h"

using namespace pj;
using namespace pj::cpu;

namespace {

/** A checked rank-4 or rank-6 tensor as a base pointer and element strides. */
template <class T>
struct View {
    T* base;
    const int64_t* stride;
    explicit View(const pj_tensor& t) : base((T*)t.data + t.offset), stride(t.strides) {}
};

/** dst[0..n) = src[0..n): a plain loop, faster than a memcpy call for the short runs (a few taps) convolutions copy. */
template <class T>
inline void copy_run(T* __restrict dst, const T* __restrict src, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = src[i];
}

template <class T>
inline void zero_run(T* dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = 0;
}

/** im2col for cols whose OW axis has stride 1: runs along ow, zeros where the taps fall in the padding. */
template <class T>
void im2col_by_columns(const View<T>& x, const pj_tensor& xt, const pj_window& w, const View<T>& cols, const pj_tensor& ct) {
    const int64_t H = xt.shape[1], W = xt.shape[2], C = xt.shape[3];
    const int64_t N = ct.shape[0], OH = ct.shape[1], OW = ct.shape[2], KH = w.kernel_h, KW = w.kernel_w;
    auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; r++) {
            const int64_t n = r / OH, oh = r % OH;
            for (int64_t kh = 0; kh < KH; kh++) {
                const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                const bool row_inside = h >= 0 && h < H;
                for (int64_t kw = 0; kw < KW; kw++) {
                    // ow reads w = ow * stride_w + w0; inside x for ow in [lo, hi).
                    const int64_t w0 = kw * w.dilation_w - w.pad_left, sw = w.stride_w;
                    int64_t lo = w0 >= 0 ? 0 : (-w0 + sw - 1) / sw;
                    int64_t hi = W - w0 <= 0 ? 0 : (W - w0 + sw - 1) / sw;
                    if (hi > OW) hi = OW;
                    if (!row_inside || lo > hi) lo = hi = 0;
                    for (int64_t c = 0; c < C; c++) {
                        T* __restrict dst = cols.base + n * cols.stride[0] + oh * cols.stride[1] + kh * cols.stride[3] + kw * cols.stride[4] + c * cols.stride[5];
                        for (int64_t ow = 0; ow < lo; ow++) dst[ow] = 0;
                        if (hi > lo) {
                            const T* __restrict src = x.base + n * x.stride[0] + h * x.stride[1] + w0 * x.stride[2] + c * x.stride[3];
                            const int64_t step = sw * x.stride[2];
                            if (step == 1) for (int64_t ow = lo; ow < hi; ow++) dst[ow] = src[ow];
                            else for (int64_t ow = lo; ow < hi; ow++) dst[ow] = src[ow * step];
                        }
                        for (int64_t ow = hi > lo ? hi : lo; ow < OW; ow++) dst[ow] = 0;
                    }
                }
            }
        }
    };
    const int64_t per_row = OW * KH * KW * C > 0 ? OW * KH * KW * C : 1;
    parallel_for(N * OH, 65536 / per_row > 0 ? 65536 / per_row : 1, rows);
}

template <class T>
void im2col(const pj_tensor& xt, const pj_window& w, const pj_tensor& ct) {
    const View<T> x(xt), cols(ct);
    const int64_t H = xt.shape[1], W = xt.shape[2], C = xt.shape[3];
    const int64_t N = ct.shape[0], OH = ct.shape[1], OW = ct.shape[2], KH = w.kernel_h, KW = w.kernel_w;
    const int64_t xc = x.stride[3], cc = cols.stride[5];
    // The common layout: dense channels_last rows in x and dense windows in cols, no dilation along W.
    // Then one window row (KW taps x C channels) is one contiguous run in both: copy the taps that
    // fall inside x, zero the others.
    const bool runs = xc == 1 && x.stride[2] == C && cc == 1 && cols.stride[4] == C && w.dilation_w == 1;
    // The transposed layout ConvOps picks for narrow windows (few channels): output columns (ow)
    // innermost in cols, so each (n, oh, kh, kw, c) is one run along ow, read from x with stride
    // stride_w * C. Long runs instead of a few elements per window.
    if (!runs && cols.stride[2] == 1 && OW > 1) {
        im2col_by_columns(x, xt, w, cols, ct);
        return;
    }
    auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; r++) {
            const int64_t n = r / OH, oh = r % OH;
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t w0 = ow * w.stride_w - w.pad_left;
                for (int64_t kh = 0; kh < KH; kh++) {
                    const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                    T* dst = cols.base + n * cols.stride[0] + oh * cols.stride[1] + ow * cols.stride[2] + kh * cols.stride[3];
                    const bool row_inside = h >= 0 && h < H;
                    if (runs) {
                        // Taps [first, last) of this window row read inside x.
                        const int64_t first = row_inside ? (w0 < 0 ? -w0 : 0) : KW;
                        const int64_t last = row_inside ? (w0 + KW > W ? W - w0 : KW) : KW;
                        if (first >= last) {
                            zero_run(dst, KW * C);
                            continue;
                        }
                        zero_run(dst, first * C);
                        copy_run(dst + first * C, x.base + n * x.stride[0] + h * x.stride[1] + (w0 + first) * C, (last - first) * C);
                        zero_run(dst + last * C, (KW - last) * C);
                        continue;
                    }
                    for (int64_t kw = 0; kw < KW; kw++) {
                        const int64_t ww = w0 + kw * w.dilation_w;
                        T* d = dst + kw * cols.stride[4];
                        if (!row_inside || ww < 0 || ww >= W) {
                            for (int64_t c = 0; c < C; c++) d[c * cc] = 0;
                            continue;
                        }
                        const T* src = x.base + n * x.stride[0] + h * x.stride[1] + ww * x.stride[2];
                        for (int64_t c = 0; c < C; c++) d[c * cc] = src[c * xc];
                    }
                }
            }
        }
    };
    const int64_t per_row = OW * KH * KW * C > 0 ? OW * KH * KW * C : 1;
    parallel_for(N * OH, 65536 / per_row > 0 ? 65536 / per_row : 1, rows);
}

template <class T>
void col2im(const pj_tensor& ct, const pj_window& w, const pj_tensor& xt) {
    const View<T> x(xt), cols(ct);
    const int64_t H = xt.shape[1], W = xt.shape[2], C = xt.shape[3];
    const int64_t N = ct.shape[0], OH = ct.shape[1], OW = ct.shape[2], KH = w.kernel_h, KW = w.kernel_w;
    const int64_t xc = x.stride[3], cc = cols.stride[5];
    const bool runs = xc == 1 && x.stride[2] == C && cc == 1 && cols.stride[4] == C && w.dilation_w == 1;  // as in im2col
    const bool by_columns = !runs && cols.stride[2] == 1 && OW > 1;
    auto images = [&](int64_t begin, int64_t end) {
        if (by_columns) {  // as im2col_by_columns, adding back; per image, in (oh, kh, kw, c, ow) order
            for (int64_t n = begin; n < end; n++)
                for (int64_t oh = 0; oh < OH; oh++)
                    for (int64_t kh = 0; kh < KH; kh++) {
                        const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                        if (h < 0 || h >= H) continue;
                        for (int64_t kw = 0; kw < KW; kw++) {
                            const int64_t w0 = kw * w.dilation_w - w.pad_left, sw = w.stride_w;
                            const int64_t lo = w0 >= 0 ? 0 : (-w0 + sw - 1) / sw;
                            int64_t hi = W - w0 <= 0 ? 0 : (W - w0 + sw - 1) / sw;
                            if (hi > OW) hi = OW;
                            const int64_t step = sw * x.stride[2];
                            for (int64_t c = 0; c < C; c++) {
                                const T* src = cols.base + n * cols.stride[0] + oh * cols.stride[1] + kh * cols.stride[3] + kw * cols.stride[4] + c * cols.stride[5];
                                T* dst = x.base + n * x.stride[0] + h * x.stride[1] + w0 * x.stride[2] + c * xc;
                                for (int64_t ow = lo; ow < hi; ow++) dst[ow * step] += src[ow];
                            }
                        }
                    }
            return;
        }
        for (int64_t n = begin; n < end; n++) {
            for (int64_t oh = 0; oh < OH; oh++) {
                for (int64_t ow = 0; ow < OW; ow++) {
                    const int64_t w0 = ow * w.stride_w - w.pad_left;
                    for (int64_t kh = 0; kh < KH; kh++) {
                        const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                        if (h < 0 || h >= H) continue;
                        const T* src = cols.base + n * cols.stride[0] + oh * cols.stride[1] + ow * cols.stride[2] + kh * cols.stride[3];
                        T* row = x.base + n * x.stride[0] + h * x.stride[1];
                        if (runs) {
                            const int64_t first = w0 < 0 ? -w0 : 0, last = w0 + KW > W ? W - w0 : KW;
                            T* __restrict dst = row + (w0 + first) * C;
                            const T* __restrict from = src + first * C;
                            for (int64_t i = 0; i < (last - first) * C; i++) dst[i] += from[i];
                            continue;
                        }
                        for (int64_t kw = 0; kw < KW; kw++) {
                            const int64_t ww = w0 + kw * w.dilation_w;
                            if (ww < 0 || ww >= W) continue;
                            const T* s = src + kw * cols.stride[4];
                            T* dst = row + ww * x.stride[2];
                            for (int64_t c = 0; c < C; c++) dst[c * xc] += s[c * cc];
                        }
                    }
                }
            }
        }
    };
    const int64_t per_image = OH * OW * KH * KW * C > 0 ? OH * OW * KH * KW * C : 1;
    parallel_for(N, 65536 / per_image > 0 ? 65536 / per_image : 1, images);
}

}  // namespace

extern "C" int pj_cpu_im2col(const pj_tensor* x, const pj_window* window, const pj_tensor* cols) {
    return guarded("im2col", [&] {
        check_im2col_operands("im2col", x, window, cols, true);
        if (numel(*cols) == 0) return;
        if (x->dtype == PJ_FLOAT32) im2col<float>(*x, *window, *cols);
        else im2col<double>(*x, *window, *cols);
    });
}

extern "C" int pj_cpu_col2im(const pj_tensor* cols, const pj_window* window, const pj_tensor* x) {
    return guarded("col2im", [&] {
        check_im2col_operands("col2im", x, window, cols, false);
        if (numel(*cols) == 0 || numel(*x) == 0) return;
        if (x->dtype == PJ_FLOAT32) col2im<float>(*cols, *window, *x);
        else col2im<double>(*cols, *window, *x);
    });
}
