// Validation shared by the sliding-window ops (conv.cpp, pooling.cpp): the window's numbers and
// the [N, H, W, C] / [N, OH, OW, KH, KW, C] operand shapes, with messages that name the op and
// what was received.
#pragma once

#include <string>

#include "checks.h"
#include "pyj4_cpu_layers.h"

namespace pj::cpu {

inline std::string window_str(const pj_window& w) {
    return "window(kernel=" + std::to_string(w.kernel_h) + "x" + std::to_string(w.kernel_w) + ", strides=" + std::to_string(w.stride_h) +
           "x" + std::to_string(w.stride_w) + ", dilation=" + std::to_string(w.dilation_h) + "x" + std::to_string(w.dilation_w) +
           ", pad top/left=" + std::to_string(w.pad_top) + "/" + std::to_string(w.pad_left) + ")";
}

inline void check_window(const std::string& op, const pj_window* w) {
    if (w == nullptr) fail(PJ_ERR_ARGUMENT, op + ": expected a window. Received: null");
    if (w->kernel_h < 1 || w->kernel_w < 1 || w->stride_h < 1 || w->stride_w < 1 || w->dilation_h < 1 || w->dilation_w < 1 ||
        w->pad_top < 0 || w->pad_left < 0)
        fail(PJ_ERR_ARGUMENT, op + ": expected kernel, strides and dilation >= 1 and padding >= 0. Received: " + window_str(*w));
}

inline bool is_float32_or_64(int dtype) { return dtype == PJ_FLOAT32 || dtype == PJ_FLOAT64; }

/** x [N, H, W, C] and cols [N, OH, OW, KH, KW, C] of one float32/float64 dtype, cols apart from x. */
inline void check_im2col_operands(const std::string& op, const pj_tensor* x, const pj_window* w, const pj_tensor* cols, bool cols_written) {
    check_window(op, w);
    check_operands(op, {{"x", x, !cols_written}, {"cols", cols, cols_written}}, false);
    std::initializer_list<Operand> all = {{"x", x}, {"cols", cols}};
    if (x->rank != 4 || cols->rank != 6) fail_shape(op, "x [N, H, W, C] and cols [N, OH, OW, KH, KW, C]", all);
    if (cols->shape[0] != x->shape[0] || cols->shape[5] != x->shape[3] || cols->shape[3] != w->kernel_h || cols->shape[4] != w->kernel_w)
        fail_shape(op, "cols [N, OH, OW, KH, KW, C] with x's N and C and the kernel of " + window_str(*w), all);
    if (!is_float32_or_64(x->dtype) || cols->dtype != x->dtype) fail_dtype(op, "x and cols of one dtype, float32 or float64", all);
    if (numel(*x) > 0 && numel(*cols) > 0 && ranges_intersect(*x, *cols))
        fail(PJ_ERR_ARGUMENT, op + ": expected cols and x in separate memory (an output must not share memory with another operand). Received: " +
                                  received(all));
}

}  // namespace pj::cpu
