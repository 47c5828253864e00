/*
 * The CPU backend's entry points for the layer primitives (C ABI): scatter-add, the sliding-window
 * ops of convolution and pooling, and the fused recurrent-cell step. Semantics are those of
 * org.pyj4.backend.Backend (scatterAdd, im2col, col2im, pool, rnnCell) and the javadocs of
 * org.pyj4.backend.{Window, PoolKind, RnnCell}; every entry validates before it touches memory and
 * returns a pj_status (message in pj_last_error()).
 */
#ifndef PYJ4_CPU_LAYERS_H
#define PYJ4_CPU_LAYERS_H

#include "../common/pyj4_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A 2-D sliding window (org.pyj4.backend.Window): tap (kh, kw) of output (oh, ow) reads
 * h = oh * stride_h - pad_top + kh * dilation_h, w likewise. */
typedef struct pj_window {
    int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
} pj_window;

/* Pool kinds: the ordinals of org.pyj4.backend.PoolKind. */
typedef enum pj_pool_kind { PJ_POOL_MAX = 0, PJ_POOL_AVG, PJ_POOL_KIND_COUNT } pj_pool_kind;

/* Recurrent cells: the ordinals of org.pyj4.backend.RnnCell. */
typedef enum pj_rnn_cell {
    PJ_LSTM_FORWARD = 0, PJ_LSTM_BACKWARD, PJ_GRU_FORWARD, PJ_GRU_BACKWARD, PJ_RNN_CELL_COUNT
} pj_rnn_cell;

/* dst[index[i]] += values[i], in row-major order of index (float32/float64). */
PJ_API int pj_cpu_scatter_add(const pj_tensor* dst, const pj_tensor* index, const pj_tensor* values);

/* cols [N, OH, OW, KH, KW, C] = the windows of x [N, H, W, C] (0 in the padding). */
PJ_API int pj_cpu_im2col(const pj_tensor* x, const pj_window* window, const pj_tensor* cols);

/* x [N, H, W, C] += cols [N, OH, OW, KH, KW, C] scattered back to the positions its taps read. */
PJ_API int pj_cpu_col2im(const pj_tensor* cols, const pj_window* window, const pj_tensor* x);

/* out [N, OH, OW, F] = bias[f] + the sum over each window's taps (kh, kw, c) of x [N, H, W, C] * kernel [KH, KW, C, F]
 * (0 in the padding); bias [F] may be NULL. */
PJ_API int pj_cpu_conv2d(const pj_tensor* x, const pj_tensor* kernel, const pj_tensor* bias, const pj_window* window, const pj_tensor* out);

/* The kernel's gradient of pj_cpu_conv2d: dkernel [KH, KW, C, F] = the sum over n, oh, ow of x's tap * dy [N, OH, OW, F];
 * dbias [F] (may be NULL) = the sum of dy over n, oh, ow. Both overwritten. */
PJ_API int pj_cpu_conv2d_kernel_grad(const pj_tensor* x, const pj_tensor* dy, const pj_window* window, const pj_tensor* dkernel,
                                     const pj_tensor* dbias);

/* out [N, OH, OW, C] = max or mean over each window's taps inside x; argmax (int64, MAX only) may be NULL. */
PJ_API int pj_cpu_pool(int32_t kind, const pj_tensor* x, const pj_window* window, const pj_tensor* out, const pj_tensor* argmax);

/* One fused LSTM/GRU step: operands are the kind's inputs then outputs (see org.pyj4.backend.RnnCell). */
PJ_API int pj_cpu_rnn_cell(int32_t kind, const pj_tensor* const* operands, int32_t count);

/* An LSTM over T steps from h = c = 0 (org.pyj4.backend.Backend#lstmSequence), float32, rows contiguous:
 * xproj [T, B, 4H], u [H, 4H] -> gates [T, B, 4H], c [T, B, H], h [T, B, H]. */
PJ_API int pj_cpu_lstm_sequence(const pj_tensor* xproj, const pj_tensor* u, const pj_tensor* gates, const pj_tensor* c,
                                const pj_tensor* h);

/* Its backward (Backend#lstmSequenceGrad): gates, c, u, dh [T, B, H], dcLast [B, H] -> dz [T, B, 4H]. */
PJ_API int pj_cpu_lstm_sequence_grad(const pj_tensor* gates, const pj_tensor* c, const pj_tensor* u, const pj_tensor* dh,
                                     const pj_tensor* dc_last, const pj_tensor* dz);

#ifdef __cplusplus
}
#endif

#endif /* PYJ4_CPU_LAYERS_H */
