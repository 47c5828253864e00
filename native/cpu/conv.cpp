// im2col and col2im: the data movement around a convolution computed as a matrix product
// (matmul.cpp runs the product through OpenBLAS). im2col copies each window's taps into a row of
// cols, zeros in the padding; col2im adds cols back into x, which is what the convolution's input
// gradient needs. Both split the work over threads by image rows (im2col) or images (col2im, so
// that no two threads add into one element and the sums keep the reference's order).
#include <string.h>

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

template <class T>
void im2col(const pj_tensor& xt, const pj_window& w, const pj_tensor& ct) {
    const View<T> x(xt), cols(ct);
    const int64_t H = xt.shape[1], W = xt.shape[2], C = xt.shape[3];
    const int64_t N = ct.shape[0], OH = ct.shape[1], OW = ct.shape[2], KH = w.kernel_h, KW = w.kernel_w;
    const int64_t xc = x.stride[3], cc = cols.stride[5];
    auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; r++) {
            const int64_t n = r / OH, oh = r % OH;
            for (int64_t ow = 0; ow < OW; ow++) {
                for (int64_t kh = 0; kh < KH; kh++) {
                    const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                    for (int64_t kw = 0; kw < KW; kw++) {
                        const int64_t ww = ow * w.stride_w - w.pad_left + kw * w.dilation_w;
                        T* dst = cols.base + n * cols.stride[0] + oh * cols.stride[1] + ow * cols.stride[2] + kh * cols.stride[3] + kw * cols.stride[4];
                        if (h < 0 || h >= H || ww < 0 || ww >= W) {
                            if (cc == 1) memset(dst, 0, C * sizeof(T));
                            else for (int64_t c = 0; c < C; c++) dst[c * cc] = 0;
                            continue;
                        }
                        const T* src = x.base + n * x.stride[0] + h * x.stride[1] + ww * x.stride[2];
                        if (cc == 1 && xc == 1) memcpy(dst, src, C * sizeof(T));
                        else for (int64_t c = 0; c < C; c++) dst[c * cc] = src[c * xc];
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
    auto images = [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; n++) {
            for (int64_t oh = 0; oh < OH; oh++) {
                for (int64_t ow = 0; ow < OW; ow++) {
                    for (int64_t kh = 0; kh < KH; kh++) {
                        const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
                        if (h < 0 || h >= H) continue;
                        for (int64_t kw = 0; kw < KW; kw++) {
                            const int64_t ww = ow * w.stride_w - w.pad_left + kw * w.dilation_w;
                            if (ww < 0 || ww >= W) continue;
                            const T* src = cols.base + n * cols.stride[0] + oh * cols.stride[1] + ow * cols.stride[2] + kh * cols.stride[3] +
                                           kw * cols.stride[4];
                            T* dst = x.base + n * x.stride[0] + h * x.stride[1] + ww * x.stride[2];
                            if (cc == 1 && xc == 1) {
                                for (int64_t c = 0; c < C; c++) dst[c] += src[c];
                            } else {
                                for (int64_t c = 0; c < C; c++) dst[c * xc] += src[c * cc];
                            }
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
