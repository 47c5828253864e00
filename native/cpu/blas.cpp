#include "blas.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <mutex>

#include "../common/error.h"
#include "thread_pool.h"

namespace pj::cpu {

namespace {

std::mutex blas_mutex;
Blas loaded;
bool is_loaded = false;
bool load_tried = false;
std::string preferred_path;  // empty: the system library
std::string load_error = "no BLAS loaded yet";

/** The OpenBLAS kernel family for this CPU: its AVX-512 kernels where the CPU has them. */
std::string core_for_this_cpu() {
    const char* forced = getenv("PYJ4_BLAS_CORETYPE");
    if (forced != nullptr && *forced != '\0') return strcmp(forced, "auto") == 0 ? "" : forced;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return "";  // let OpenBLAS detect
}

void* find(void* handle, const char* name) {
    std::string prefixed = std::string("scipy_") + name;
    void* f = dlsym(handle, prefixed.c_str());
    return f != nullptr ? f : dlsym(handle, name);
}

/** Sets (value non-null) or clears an environment variable; returns its old value, if any. */
bool swap_env(const char* name, const char* value, std::string* old) {
    const char* v = getenv(name);
    if (v != nullptr) *old = v;
    if (value == nullptr) unsetenv(name);
    else setenv(name, value, 1);
    return v != nullptr;
}

void restore_env(const char* name, bool had, const std::string& old) {
    if (had) setenv(name, old.c_str(), 1);
    else unsetenv(name);
}

/**
 * dlopen with OPENBLAS_CORETYPE set to `core` and OPENBLAS_NUM_THREADS to 1 for the library's
 * initialiser (it starts its thread server there), then both restored.
 */
void* open_with_core(const char* path, const std::string& core) {
    std::string old_core, old_threads;
    bool had_core = swap_env("OPENBLAS_CORETYPE", core.empty() ? nullptr : core.c_str(), &old_core);
    bool had_threads = swap_env("OPENBLAS_NUM_THREADS", "1", &old_threads);
    void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    restore_env("OPENBLAS_CORETYPE", had_core, old_core);
    restore_env("OPENBLAS_NUM_THREADS", had_threads, old_threads);
    return handle;
}

void load_locked(const char* path) {
    const char* target = path != nullptr ? path : "libopenblas.so.0";
    std::string core = core_for_this_cpu();
    void* handle = open_with_core(target, core);
    if (handle == nullptr) {
        const char* why = dlerror();
        fail(PJ_ERR_BACKEND, std::string("cannot load OpenBLAS from ") + target + ": " + (why ? why : "unknown error"));
    }
    Blas b;
    b.sgemm = (decltype(b.sgemm))find(handle, "cblas_sgemm");
    b.dgemm = (decltype(b.dgemm))find(handle, "cblas_dgemm");
    b.sgemv = (decltype(b.sgemv))find(handle, "cblas_sgemv");
    b.dgemv = (decltype(b.dgemv))find(handle, "cblas_dgemv");
    if (b.sgemv == nullptr || b.dgemv == nullptr) b.sgemv = nullptr, b.dgemv = nullptr;
    b.set_num_threads = (decltype(b.set_num_threads))find(handle, "openblas_set_num_threads");
    b.get_corename = (decltype(b.get_corename))find(handle, "openblas_get_corename");
    if (b.sgemm == nullptr || b.dgemm == nullptr) {
        dlclose(handle);
        fail(PJ_ERR_BACKEND, std::string("the library at ") + target + " has no cblas_sgemm/cblas_dgemm");
    }
    b.path = target;
    b.requested_core = core.empty() ? "auto" : core;
    // One thread: OpenBLAS's workers spin-wait for each other (and for new work, up to ~0.1 s after
    // each call), which on a shared machine steals the cores our pool and other processes need.
    if (b.set_num_threads != nullptr) b.set_num_threads(1);
    loaded = b;
    is_loaded = true;
}

}  // namespace

const Blas* blas() {
    std::lock_guard<std::mutex> lock(blas_mutex);
    if (!is_loaded && !load_tried) {
        load_tried = true;
        try {
            load_locked(preferred_path.empty() ? nullptr : preferred_path.c_str());
        } catch (const Error& e) {
            load_error = e.what();
            if (!preferred_path.empty()) {  // the shipped copy failed: the system one may still do
                try {
                    load_locked(nullptr);
                } catch (const Error& e2) {
                    load_error += "; " + std::string(e2.what());
                }
            }
        }
    }
    return is_loaded ? &loaded : nullptr;
}

void set_blas_path(const char* path) {
    std::lock_guard<std::mutex> lock(blas_mutex);
    preferred_path = path != nullptr ? path : "";
    load_tried = false;
}

void load_blas(const char* path) {
    std::lock_guard<std::mutex> lock(blas_mutex);
    if (is_loaded) return;  // one BLAS per process: the first one stays
    load_locked(path);
}

std::string blas_description() {
    std::lock_guard<std::mutex> lock(blas_mutex);
    if (!is_loaded) return "none (" + load_error + "; matmul uses built-in loops)";
    std::string core = loaded.get_corename != nullptr ? loaded.get_corename() : "?";
    return "OpenBLAS core=" + core + " (requested " + loaded.requested_core + ") from " + loaded.path;
}

void blas_set_threads(int threads) {
    std::lock_guard<std::mutex> lock(blas_mutex);
    if (is_loaded && loaded.set_num_threads != nullptr) loaded.set_num_threads(1);
}

}  // namespace pj::cpu
