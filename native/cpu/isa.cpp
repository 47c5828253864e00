// Picks the kernel table for this CPU once, at first use: AVX-512 (F, BW, DQ, VL), else AVX2 with
// FMA and F16C, else baseline x86-64. PYJ4_CPU_ISA=baseline|avx2|avx512 caps the choice.
#include <stdlib.h>
#include <string.h>

#include <atomic>

#include "kernels.h"

namespace pj::cpu {

namespace {

bool has_avx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

bool has_avx512() {
    __builtin_cpu_init();
    return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

KernelTable tables[3];
std::atomic<const KernelTable*> active{nullptr};

const KernelTable* build(const char* name) {
    static bool filled = [] {
        baseline::fill_table(&tables[0]);
        if (has_avx2()) avx2::fill_table(&tables[1]);
        if (has_avx512()) avx512::fill_table(&tables[2]);
        return true;
    }();
    (void)filled;
    if (strcmp(name, "avx512") == 0) return &tables[2];
    if (strcmp(name, "avx2") == 0) return &tables[1];
    return &tables[0];
}

const char* best_isa() {
    const char* cap = getenv("PYJ4_CPU_ISA");
    const char* best = has_avx512() ? "avx512" : has_avx2() ? "avx2" : "baseline";
    if (cap != nullptr && isa_supported(cap)) {
        if (strcmp(cap, "baseline") == 0 || (strcmp(cap, "avx2") == 0 && strcmp(best, "avx512") == 0)) return cap;
    }
    return best;
}

}  // namespace

bool isa_supported(const char* name) {
    if (strcmp(name, "baseline") == 0) return true;
    if (strcmp(name, "avx2") == 0) return has_avx2();
    if (strcmp(name, "avx512") == 0) return has_avx512();
    return false;
}

const KernelTable& kernels() {
    const KernelTable* t = active.load(std::memory_order_acquire);
    if (t == nullptr) {
        static const KernelTable* initial = build(best_isa());
        active.store(initial, std::memory_order_release);
        t = initial;
    }
    return *t;
}

bool select_isa(const char* name) {
    if (!isa_supported(name)) return false;
    kernels();
    active.store(build(name), std::memory_order_release);
    return true;
}

}  // namespace pj::cpu
