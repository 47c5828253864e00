/*
 * The native CPU backend's entry points (C ABI). Each returns a pj_status; on failure
 * pj_last_error() holds a message naming the op, the operands' shapes and dtypes, and what was
 * expected. Semantics are those of org.pyj4.backend.Backend and the javadocs of its op enums.
 */
#ifndef PYJ4_CPU_H
#define PYJ4_CPU_H

#include "../common/pyj4_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

PJ_API int pj_cpu_copy(const pj_tensor* src, const pj_tensor* dst);
PJ_API int pj_cpu_unary(int32_t op, const pj_tensor* x, const pj_tensor* out);
PJ_API int pj_cpu_binary(int32_t op, const pj_tensor* a, const pj_tensor* b, const pj_tensor* out);
PJ_API int pj_cpu_where(const pj_tensor* cond, const pj_tensor* a, const pj_tensor* b, const pj_tensor* out);
/* axes: naxes sorted, distinct axes of x; out has x's rank with those dims set to 1. */
PJ_API int pj_cpu_reduce(int32_t op, const pj_tensor* x, const int32_t* axes, int32_t naxes, const pj_tensor* out);
PJ_API int pj_cpu_matmul(const pj_tensor* a, const pj_tensor* b, const pj_tensor* out);
PJ_API int pj_cpu_gather(const pj_tensor* x, const pj_tensor* index, const pj_tensor* out);
PJ_API int pj_cpu_scatter(const pj_tensor* dst, const pj_tensor* index, const pj_tensor* values);
PJ_API int pj_cpu_random(int32_t kind, int64_t seed, int64_t counter, double a, double b, const pj_tensor* out);
/* One fused optimizer update in place (org.pyj4.backend.OptimizerKind: kind, hyper layout, state count). */
PJ_API int pj_cpu_optimizer_step(int32_t kind, const pj_tensor* param, const pj_tensor* grad, const pj_tensor* const* state,
                                 int32_t nstate, const double* hyper, int32_t nhyper);

/* Zero-filled host memory aligned to 64 bytes (NULL if none); free with the same byte count. */
PJ_API void* pj_cpu_alloc(int64_t bytes);
/* As pj_cpu_alloc, but the contents are unspecified: for outputs an op overwrites entirely. */
PJ_API void* pj_cpu_alloc_uninitialized(int64_t bytes);
PJ_API void pj_cpu_free(void* p, int64_t bytes);

PJ_API int pj_cpu_threads(void);
PJ_API void pj_cpu_set_threads(int threads);

/*
 * Loads OpenBLAS from `path` (NULL: the system's libopenblas.so.0), choosing its kernels for this
 * CPU. Optional: the first float matmul loads the system library if nothing was loaded.
 */
PJ_API int pj_cpu_load_blas(const char* path);

/* Where the first float matmul loads OpenBLAS from (NULL: the system's); nothing is loaded now. */
PJ_API void pj_cpu_set_blas_path(const char* path);

/* One line describing the build: instruction set, threads, BLAS and its kernel. */
PJ_API const char* pj_cpu_info(void);

/* Switches the kernels' instruction set ("baseline", "avx2", "avx512"); PJ_ERR_ARGUMENT if absent. */
PJ_API int pj_cpu_select_isa(const char* name);

#ifdef __cplusplus
}
#endif

#endif /* PYJ4_CPU_H */
