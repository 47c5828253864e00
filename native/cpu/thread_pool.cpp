#include "thread_pool.h"

#include <sched.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pj::cpu {

namespace {

inline void cpu_relax() { __builtin_ia32_pause(); }

// An idle worker polls for the next loop for this long before it sleeps on a futex: back-to-back
// ops then skip the wake-up (~10-50 us). After the first few hundred polls it yields the core, so
// that other threads that need it (OpenBLAS's, the JVM's) are not slowed down by the polling.
constexpr auto kPollTime = std::chrono::microseconds(200);
constexpr int kPausePolls = 256;

// A loop is cut into up to this many parts per thread; everyone claims parts until none are left,
// so a thread that starts late (descheduled on a busy machine) costs little: others take its share.
constexpr int kPartsPerThread = 4;

thread_local bool in_pool_thread = false;

/**
 * One loop at a time. The caller publishes the loop (fields, then open_ and a new generation),
 * claims parts like every worker, waits for all parts to finish, closes the loop, and waits until
 * no worker is still inside it, so the loop's state never outlives the call.
 */
class Pool {
public:
    explicit Pool(int threads) : threads_(threads) {
        for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
    }

    int threads() const { return threads_; }

    /** Runs fn over [0, n) in `parts` pieces; false if the pool is busy (the caller then runs alone). */
    bool run(int64_t n, int parts, RangeFn fn, void* ctx) {
        if (busy_.exchange(true, std::memory_order_acquire)) return false;
        fn_ = fn;
        ctx_ = ctx;
        n_ = n;
        parts_ = parts;
        next_part_.store(0, std::memory_order_relaxed);
        done_parts_.store(0, std::memory_order_relaxed);
        open_.store(true, std::memory_order_seq_cst);
        generation_.fetch_add(1, std::memory_order_seq_cst);
        if (sleepers_.load(std::memory_order_seq_cst) > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            wake_.notify_all();
        }
        claim_parts();
        for (int polls = 0; done_parts_.load(std::memory_order_acquire) != parts; polls++) {
            if (polls < kPausePolls * 16) cpu_relax();
            else std::this_thread::yield();
        }
        open_.store(false, std::memory_order_seq_cst);
        while (inside_.load(std::memory_order_seq_cst) != 0) cpu_relax();
        busy_.store(false, std::memory_order_release);
        return true;
    }

private:
    void claim_parts() {
        for (int part; (part = next_part_.fetch_add(1, std::memory_order_relaxed)) < parts_;) {
            int64_t begin = n_ * part / parts_, end = n_ * (part + 1) / parts_;
            if (begin < end) fn_(ctx_, begin, end);
            done_parts_.fetch_add(1, std::memory_order_release);
        }
    }

    void work() {
        in_pool_thread = true;
        uint64_t seen = 0;
        while (true) {
            bool found = false;
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; !found; i++) {
                found = generation_.load(std::memory_order_acquire) != seen;
                if (found) break;
                if (i < kPausePolls) {
                    cpu_relax();
                } else {
                    if ((i & 15) == 0 && std::chrono::steady_clock::now() - start > kPollTime) break;
                    std::this_thread::yield();
                }
            }
            if (!found) {
                std::unique_lock<std::mutex> lock(mutex_);
                sleepers_.fetch_add(1, std::memory_order_seq_cst);
                wake_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
                sleepers_.fetch_sub(1, std::memory_order_relaxed);
            }
            seen = generation_.load(std::memory_order_acquire);
            inside_.fetch_add(1, std::memory_order_seq_cst);
            if (open_.load(std::memory_order_seq_cst)) claim_parts();  // else that loop is over already
            inside_.fetch_sub(1, std::memory_order_seq_cst);
        }
    }

    const int threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> busy_{false};
    std::atomic<bool> open_{false};
    std::atomic<int> inside_{0};
    std::atomic<int> next_part_{0};
    std::atomic<int> done_parts_{0};
    RangeFn fn_ = nullptr;
    void* ctx_ = nullptr;
    int64_t n_ = 0;
    int parts_ = 1;
};

int initial_threads() {
    const char* env = getenv("PYJ4_NUM_THREADS");
    if (env != nullptr) {
        int n = atoi(env);
        if (n >= 1) return std::min(n, 256);
    }
    return available_cpus();
}

std::mutex config_mutex;
std::atomic<int> wanted_threads{0};
// Pools are never deleted: no destructor must run at exit while a worker may still be waking up.
std::atomic<Pool*> current_pool{nullptr};

Pool* pool_for(int threads) {
    Pool* p = current_pool.load(std::memory_order_acquire);
    if (p != nullptr && p->threads() == threads) return p;
    std::lock_guard<std::mutex> lock(config_mutex);
    p = current_pool.load(std::memory_order_acquire);
    if (p == nullptr || p->threads() != threads) {
        p = new Pool(threads);  // an older pool's workers stay asleep: a few idle threads at most
        current_pool.store(p, std::memory_order_release);
    }
    return p;
}

}  // namespace

int available_cpus() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

int num_threads() {
    int n = wanted_threads.load(std::memory_order_relaxed);
    if (n == 0) {
        int expected = 0;
        wanted_threads.compare_exchange_strong(expected, initial_threads());
        n = wanted_threads.load(std::memory_order_relaxed);
    }
    return n;
}

void set_num_threads(int n) { wanted_threads.store(std::max(1, std::min(n, 256)), std::memory_order_relaxed); }

void parallel_for(int64_t n, int64_t min_part, RangeFn fn, void* ctx) {
    if (n <= 0) return;
    const int threads = num_threads();
    const int64_t parts = std::min<int64_t>((int64_t)threads * kPartsPerThread, n / std::max<int64_t>(min_part, 1));
    if (threads > 1 && parts > 1 && !in_pool_thread) {
        if (pool_for(threads)->run(n, (int)parts, fn, ctx)) return;
    }
    fn(ctx, 0, n);
}

}  // namespace pj::cpu
