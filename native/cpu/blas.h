// OpenBLAS, loaded at run time with dlopen: the library shipped in the jar (scipy-openblas32,
// symbols prefixed "scipy_") or else the system's libopenblas.so.0. Loading late lets us choose
// its kernels for this CPU (OPENBLAS_CORETYPE is read once, when the library initialises), so an
// environment that pins a slower kernel does not slow our GEMM down.
#pragma once

#include <string>

namespace pj::cpu {

struct Blas {
    // cblas_?gemm with CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 (int = blasint).
    void (*sgemm)(int order, int transa, int transb, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);
    void (*dgemm)(int order, int transa, int transb, int m, int n, int k, double alpha, const double* a, int lda,
                  const double* b, int ldb, double beta, double* c, int ldc);
    // cblas_?gemv (row-major): optional, gemm serves when absent.
    void (*sgemv)(int order, int trans, int m, int n, float alpha, const float* a, int lda, const float* x, int incx,
                  float beta, float* y, int incy);
    void (*dgemv)(int order, int trans, int m, int n, double alpha, const double* a, int lda, const double* x, int incx,
                  double beta, double* y, int incy);
    void (*set_num_threads)(int);
    char* (*get_corename)(void);
    std::string path;
    std::string requested_core;
};

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

/**
 * The loaded BLAS. The first call loads it: from the path given to set_blas_path if any, else the
 * system's libopenblas.so.0. Null if none could be loaded (matmul then uses built-in loops).
 */
const Blas* blas();

/** Where blas() loads OpenBLAS from on first use (the copy shipped in the jar). */
void set_blas_path(const char* path);

/** Loads OpenBLAS from path (null: the system library). Throws pj::Error if it cannot. */
void load_blas(const char* path);

/** "OpenBLAS <core> from <path>" or why there is none. */
std::string blas_description();

/**
 * Keeps the loaded BLAS single-threaded whatever pyj4's thread count: matmul splits large products
 * over pyj4's own pool (matmul.cpp), so only one set of threads ever runs.
 */
void blas_set_threads(int threads);

}  // namespace pj::cpu
