// Entry points that are not ops: memory, threads, BLAS loading, build description, ISA choice.
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mutex>
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

/**
 * Freed blocks kept for the next allocation of their size class. A training step frees and
 * allocates the same sizes every step; without the cache each large one costs an mmap, a page fault
 * per 4 KiB on first touch and an munmap (about 100 us for 256 KiB), while a cached block costs a
 * memset of what the caller gets. Blocks are classed by their size rounded up to the next quarter
 * power of two (capacity = the class's size, so any request of the class fits); the cache holds at
 * most kCacheBytes and never blocks above kCacheBlock, the rest goes back to the system at once.
 * Java's MemoryStats counts only live arrays, so cached blocks never show up in it.
 */
// Large blocks are worth caching most: a fresh 64 MiB block costs about 6 ms of page faults, as
// much as one pass of an elementwise op over it. 256 MiB held at most is small beside a training
// run's working set; arrays above 64 MiB go straight back to the system.
constexpr int64_t kCacheBytes = (int64_t)256 << 20;
constexpr int64_t kCacheBlock = (int64_t)64 << 20;
constexpr int64_t kMinBlock = 4096;  // smaller blocks: malloc's own bins are fast enough
constexpr int kClasses = 256;

/** A size class: (exponent, top two bits below the leading one). */
int size_class(int64_t bytes) {
    int e = 63 - __builtin_clzll((unsigned long long)(bytes - 1));  // bytes - 1 < 2^(e+1)
    int quarter = (int)(((bytes - 1) >> (e - 2)) & 3);               // e >= 11 for bytes > 4096
    return e * 4 + quarter;
}

/** The largest size of a class: what a block of that class is allocated with. */
int64_t class_capacity(int c) {
    int e = c / 4, quarter = c % 4;
    return ((int64_t)(4 + quarter + 1) << (e - 2));
}

struct FreeBlock {
    FreeBlock* next;
};

std::mutex cache_mutex;
FreeBlock* cached[kClasses];
int64_t cached_bytes = 0;

bool cacheable(int64_t bytes) { return bytes > kMinBlock && bytes <= kCacheBlock; }

void* system_alloc(int64_t capacity, bool zero) {
    if (capacity >= kMapThreshold) {
        void* p = mmap(nullptr, (size_t)capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return nullptr;
        madvise(p, (size_t)capacity, MADV_HUGEPAGE);
        return p;  // already zero
    }
    void* p = aligned_alloc(64, (size_t)capacity);
    if (p != nullptr && zero) memset(p, 0, (size_t)capacity);
    return p;
}

void system_free(void* p, int64_t capacity) {
    if (capacity >= kMapThreshold) munmap(p, (size_t)capacity);
    else free(p);
}

/** The capacity a request is served with (a multiple of 64). */
int64_t capacity_of(int64_t bytes) {
    if (cacheable(bytes)) return class_capacity(size_class(bytes));
    int64_t rounded = (bytes + 63) / 64 * 64;
    return rounded > 0 ? rounded : 64;
}

/** A block of `bytes` from the cache or the system; zero-filled when `zero` (else its contents are unspecified). */
void* allocate(int64_t bytes, bool zero) {
    if (bytes < 0) return nullptr;
    const int64_t capacity = capacity_of(bytes);
    if (cacheable(bytes)) {
        const int c = size_class(bytes);
        FreeBlock* block = nullptr;
        {
            std::lock_guard<std::mutex> lock(cache_mutex);
            block = cached[c];
            if (block != nullptr) {
                cached[c] = block->next;
                cached_bytes -= capacity;
            }
        }
        if (block != nullptr) {
            if (zero) memset(block, 0, (size_t)(bytes + 63) / 64 * 64);  // the rest of the block is never read
            return block;
        }
    }
    return system_alloc(capacity, zero);
}

}  // namespace

extern "C" void* pj_cpu_alloc(int64_t bytes) { return allocate(bytes, true); }

// Outputs that an op overwrites entirely (im2col's windows, products, pooled values) skip the
// zero-fill: for a cached block of a few MiB the memset costs as much as the op itself.
extern "C" void* pj_cpu_alloc_uninitialized(int64_t bytes) { return allocate(bytes, false); }

extern "C" void pj_cpu_free(void* p, int64_t bytes) {
    if (p == nullptr) return;
    const int64_t capacity = capacity_of(bytes);
    if (cacheable(bytes)) {
        std::lock_guard<std::mutex> lock(cache_mutex);
        if (cached_bytes + capacity <= kCacheBytes) {
            FreeBlock* block = static_cast<FreeBlock*>(p);
            const int c = size_class(bytes);
            block->next = cached[c];
            cached[c] = block;
            cached_bytes += capacity;
            return;
        }
    }
    system_free(p, capacity);
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
