// Entry points that are not ops: memory, threads, BLAS loading, build description, ISA choice.
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <string>

#include "../common/error.h"
#include "blas.h"
#include "kernels.h"
#include "pyj4_cpu.h"
#include "thread_pool.h"

using namespace pj;
using namespace pj::cpu;

namespace {
// From this size on, memory comes straight from mmap: already zero, page aligned, and returned to
// the system on free; transparent huge pages cut the page faults of large arrays.
constexpr int64_t kMapThreshold = 1 << 20;
}  // namespace

extern "C" void* pj_cpu_alloc(int64_t bytes) {
    if (bytes < 0) return nullptr;
    if (bytes >= kMapThreshold) {
        void* p = mmap(nullptr, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return nullptr;
        madvise(p, (size_t)bytes, MADV_HUGEPAGE);
        return p;
    }
    size_t rounded = (size_t)((bytes + 63) / 64 * 64);
    void* p = aligned_alloc(64, rounded > 0 ? rounded : 64);
    if (p != nullptr) memset(p, 0, rounded > 0 ? rounded : 64);
    return p;
}

extern "C" void pj_cpu_free(void* p, int64_t bytes) {
    if (p == nullptr) return;
    if (bytes >= kMapThreshold) munmap(p, (size_t)bytes);
    else free(p);
}

extern "C" int pj_cpu_threads(void) { return num_threads(); }

extern "C" void pj_cpu_set_threads(int threads) {
    set_num_threads(threads);
    blas_set_threads(num_threads());
}

extern "C" int pj_cpu_load_blas(const char* path) {
    return guarded("load BLAS", [&] { load_blas(path); });
}

extern "C" void pj_cpu_set_blas_path(const char* path) { set_blas_path(path); }

extern "C" const char* pj_cpu_info(void) {
    static thread_local std::string text;
    text = std::string("isa=") + kernels().isa + " threads=" + std::to_string(num_threads()) + " cpus=" +
           std::to_string(available_cpus()) + " blas=" + blas_description();
    return text.c_str();
}

extern "C" int pj_cpu_select_isa(const char* name) {
    return guarded("select ISA", [&] {
        if (name == nullptr || !select_isa(name))
            fail(PJ_ERR_ARGUMENT, std::string("select ISA: expected one this CPU runs (baseline, avx2, avx512). Received: ") +
                                      (name ? name : "null"));
    });
}
