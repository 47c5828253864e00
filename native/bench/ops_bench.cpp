// Micro-benchmark of the CPU backend through its C ABI: elementwise throughput and reductions on
// 16M float32 (Gelem/s), and sgemm GFLOP/s. Medians of repeated runs after a warm-up.
//   pyj4_bench [--threads N] [--blas PATH] [--gemm-only | --ops-only] [--isa NAME]
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pyj4_cpu.h"

namespace {

double now() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

pj_tensor tensor(void* data, int dtype, int itemsize, std::vector<int64_t> shape) {
    pj_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.rank = (int)shape.size();
    int64_t acc = 1;
    for (int d = t.rank - 1; d >= 0; d--) t.shape[d] = shape[d], t.strides[d] = acc, acc *= shape[d];
    t.byte_size = acc * itemsize;
    return t;
}

template <class F>
double median_seconds(F&& f, int reps) {
    f();  // warm-up (page faults, BLAS threads)
    std::vector<double> t;
    for (int i = 0; i < reps; i++) {
        double s = now();
        f();
        t.push_back(now() - s);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void check(int status) {
    if (status != PJ_OK) {
        fprintf(stderr, "failed: %s\n", pj_last_error());
        exit(1);
    }
}

void bench_ops() {
    const int64_t n = 16 << 20;
    float* a = (float*)pj_cpu_alloc(n * 4);
    float* b = (float*)pj_cpu_alloc(n * 4);
    float* o = (float*)pj_cpu_alloc(n * 4);
    for (int64_t i = 0; i < n; i++) a[i] = (float)((i * 7919) % 20001) / 2000.0f - 5.0f, b[i] = 1.5f;
    pj_tensor ta = tensor(a, PJ_FLOAT32, 4, {n}), tb = tensor(b, PJ_FLOAT32, 4, {n}), to = tensor(o, PJ_FLOAT32, 4, {n});
    float scalar = 0;
    pj_tensor ts = tensor(&scalar, PJ_FLOAT32, 4, {1});
    int32_t axis[] = {0};
    struct Op { const char* name; int kind; int code; } ops[] = {
        {"add", 1, PJ_ADD}, {"mul", 1, PJ_MUL}, {"exp", 0, PJ_EXP}, {"tanh", 0, PJ_TANH},
        {"sigmoid", 0, PJ_SIGMOID}, {"log", 0, PJ_LOG}, {"sum", 2, PJ_SUM}, {"max", 2, PJ_MAX}};
    for (const Op& op : ops) {
        double s = median_seconds([&] {
            if (op.kind == 0) check(pj_cpu_unary(op.code, &ta, &to));
            else if (op.kind == 1) check(pj_cpu_binary(op.code, &ta, &tb, &to));
            else check(pj_cpu_reduce(op.code, &ta, axis, 1, &ts));
        }, 7);
        printf("%-8s 16M float32: %6.2f Gelem/s  (%.2f ms)\n", op.name, n / s * 1e-9, s * 1e3);
    }
    pj_cpu_free(a, n * 4), pj_cpu_free(b, n * 4), pj_cpu_free(o, n * 4);
}

void bench_gemm() {
    for (int64_t n : {256, 512, 1024, 2048, 4096}) {
        float* a = (float*)pj_cpu_alloc(n * n * 4);
        float* b = (float*)pj_cpu_alloc(n * n * 4);
        float* c = (float*)pj_cpu_alloc(n * n * 4);
        for (int64_t i = 0; i < n * n; i++) a[i] = (float)(i % 7) * 0.1f, b[i] = (float)(i % 5) * 0.1f;
        pj_tensor ta = tensor(a, PJ_FLOAT32, 4, {n, n}), tb = tensor(b, PJ_FLOAT32, 4, {n, n}), tc = tensor(c, PJ_FLOAT32, 4, {n, n});
        double s = median_seconds([&] { check(pj_cpu_matmul(&ta, &tb, &tc)); }, n >= 4096 ? 3 : 7);
        printf("sgemm n=%-5lld %7.1f GFLOP/s  (%.2f ms)\n", (long long)n, 2.0 * n * n * n / s * 1e-9, s * 1e3);
        pj_cpu_free(a, n * n * 4), pj_cpu_free(b, n * n * 4), pj_cpu_free(c, n * n * 4);
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool ops = true, gemm = true;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "--threads" && i + 1 < argc) pj_cpu_set_threads(atoi(argv[++i]));
        else if (arg == "--blas" && i + 1 < argc) check(pj_cpu_load_blas(argv[++i]));
        else if (arg == "--isa" && i + 1 < argc) check(pj_cpu_select_isa(argv[++i]));
        else if (arg == "--gemm-only") ops = false;
        else if (arg == "--ops-only") gemm = false;
    }
    if (gemm) {
        float x = 0;  // load BLAS up front so the info line shows it
        pj_tensor t = tensor(&x, PJ_FLOAT32, 4, {1, 1});
        check(pj_cpu_matmul(&t, &t, &t));
    }
    printf("%s\n", pj_cpu_info());
    if (ops) bench_ops();
    if (gemm) bench_gemm();
    return 0;
}
