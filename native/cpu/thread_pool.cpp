#include "thread_pool.h"

#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace pj::cpu {

namespace {

inline void cpu_relax() { __builtin_ia32_pause(); }

// Sleeping and waking go straight to futexes: no mutex is ever held by a thread that the scheduler
// may preempt, so a descheduled worker cannot block anyone (the machine may be oversubscribed).
inline void futex_wait(std::atomic<uint32_t>* word, uint32_t expected) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

inline void futex_wake(std::atomic<uint32_t>* word, int count) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

// An idle worker polls for the next loop before it sleeps, so that loops in quick succession (the
// products of a training step or of a prediction, tens of microseconds apart) skip the wake-up
// (~10-50 us). The polling window adapts to the gaps between loops: after a sleep it becomes twice
// the gap when that was under kMaxPoll, else half the window (down to kMinPoll); a poll that finds
// work keeps it. So a worker keeps polling only while loops keep coming: a polling worker holds a
// core that the caller's own thread or another process may need. kMaxPoll is 1 ms because waking a
// sleeping worker can take that long on a virtual machine whose idle vCPU was halted (measured on
// these 2-vCPU machines: a 16M-element sum after a pause ran at one core's speed with a 0.2 ms cap).
constexpr int64_t kMinPoll = 5000, kMaxPoll = 1000000;  // nanoseconds
// Where a woken worker runs: Linux wakes a thread on an idle CPU unless that CPU looks busy, and on
// virtual machines an idle vCPU that the host has descheduled reads as busy ("preempted"). The
// worker then wakes on the caller's own CPU and preempts the caller (measured on these 2-vCPU
// machines: the caller stalls ~0.2 ms in the wake call while the worker runs its part, and the
// worker's polling then shares that CPU), so a second thread makes a loop slower. A worker going to
// sleep therefore takes the caller's last CPU out of its affinity mask, so that the wake-up goes to
// another CPU (~0.1 ms later), and puts its mask back once it has done its parts.
bool avoid_cpu(int cpu, cpu_set_t* home) {
    if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof *home, home) != 0) return false;
    if (!CPU_ISSET(cpu, home) || CPU_COUNT(home) < 2) return false;
    cpu_set_t away = *home;
    CPU_CLR(cpu, &away);
    return sched_setaffinity(0, sizeof away, &away) == 0;
}

// The caller, once no part is left to claim, polls this many times for the parts still running
// elsewhere, then sleeps until the last one finishes.
constexpr int kCallerPolls = 2000;

// A loop is cut into up to this many parts per thread; everyone claims parts until none are left,
// so a thread that starts late (descheduled on a busy machine) costs little: others take its share.
constexpr int kPartsPerThread = 4;

thread_local bool in_pool_thread = false;

/**
 * One loop at a time. The caller publishes the loop's fields, then `claim_` = (generation << 32) |
 * parts left to claim; a thread claims a part by decrementing that word with a CAS, so a claim
 * either belongs to the loop whose fields it reads or fails. The caller claims parts like every
 * worker and waits only for parts that others have claimed and not finished. Nothing of a loop is
 * touched after its last part finishes, so the caller never waits for a worker that has no work.
 */
class Pool {
public:
    explicit Pool(int threads) : threads_(threads) {
        for (int i = 1; i < threads; i++) std::thread([this] { work(); }).detach();
    }

    int threads() const { return threads_; }

    /** Runs fn over [0, n) in `parts` pieces; false if the pool is busy (the caller then runs alone). */
    bool run(int64_t n, int parts, RangeFn fn, void* ctx) {
        if (busy_.exchange(true, std::memory_order_acquire)) return false;
        fn_ = fn;
        ctx_ = ctx;
        n_ = n;
        parts_ = parts;
        unfinished_.store((uint32_t)parts, std::memory_order_relaxed);
        caller_cpu_.store(sched_getcpu(), std::memory_order_relaxed);
        generation_++;
        claim_.store((uint64_t)generation_ << 32 | (uint32_t)parts, std::memory_order_release);
        work_seq_.fetch_add(1, std::memory_order_seq_cst);
        int sleeping = sleepers_.load(std::memory_order_seq_cst);
        if (sleeping > 0) futex_wake(&work_seq_, std::min(sleeping, parts - 1));
        claim_parts();
        wait_unfinished();
        busy_.store(false, std::memory_order_release);
        return true;
    }

private:
    void claim_parts() {
        uint64_t c = claim_.load(std::memory_order_acquire);
        while ((uint32_t)c != 0) {
            if (!claim_.compare_exchange_weak(c, c - 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
            // Claimed: this loop cannot end before this part does, so its fields are stable.
            const int part = parts_ - (int)(uint32_t)c;
            const int64_t begin = n_ * part / parts_, end = n_ * (part + 1) / parts_;
            if (begin < end) fn_(ctx_, begin, end);
            if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1 && caller_waits_.load(std::memory_order_seq_cst))
                futex_wake(&unfinished_, 1);
            c = claim_.load(std::memory_order_acquire);
        }
    }

    void wait_unfinished() {
        for (int i = 0; i < kCallerPolls; i++) {
            if (unfinished_.load(std::memory_order_acquire) == 0) return;
            cpu_relax();
        }
        caller_waits_.store(1, std::memory_order_seq_cst);
        for (uint32_t left; (left = unfinished_.load(std::memory_order_seq_cst)) != 0;) futex_wait(&unfinished_, left);
        caller_waits_.store(0, std::memory_order_relaxed);
    }

    void work() {
        in_pool_thread = true;
        uint32_t seen = work_seq_.load(std::memory_order_acquire);
        int64_t window = kMinPoll;
        cpu_set_t home;
        bool away = false;  // whether the affinity mask leaves out the caller's CPU (see avoid_cpu)
        while (true) {
            claim_parts();
            if (away) away = sched_setaffinity(0, sizeof home, &home) != 0;
            bool more = false;
            const auto start = std::chrono::steady_clock::now();
            int64_t waited = 0;
            for (int i = 1; !more; i++) {
                more = work_seq_.load(std::memory_order_acquire) != seen;
                if (!more && (i & 63) == 0) {
                    waited = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
                    if (waited > window) break;
                }
                cpu_relax();
            }
            if (more) {  // polling paid off: keep a window at least this wide
                waited = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
                window = std::max(window, std::min(kMaxPoll, 2 * waited));
            } else {
                away = avoid_cpu(caller_cpu_.load(std::memory_order_relaxed), &home);
                sleepers_.fetch_add(1, std::memory_order_seq_cst);
                while (work_seq_.load(std::memory_order_seq_cst) == seen) futex_wait(&work_seq_, seen);
                sleepers_.fetch_sub(1, std::memory_order_seq_cst);
                const int cpu = sched_getcpu();
                if (cpu == caller_cpu_.load(std::memory_order_relaxed)) {  // woken there all the same: the caller moved
                    if (away) away = sched_setaffinity(0, sizeof home, &home) != 0;
                    if (!away) away = avoid_cpu(cpu, &home);
                }
                waited = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
                window = waited <= kMaxPoll ? std::max(kMinPoll, 2 * waited) : std::max(kMinPoll, window / 2);
            }
            seen = work_seq_.load(std::memory_order_acquire);
        }
    }

    const int threads_;
    std::atomic<bool> busy_{false};
    uint32_t generation_ = 0;  // the caller's (busy_ holder's) count of loops
    alignas(64) std::atomic<uint64_t> claim_{0};
    alignas(64) std::atomic<uint32_t> unfinished_{0};  // parts not finished; the caller sleeps on it
    std::atomic<uint32_t> caller_waits_{0};
    alignas(64) std::atomic<uint32_t> work_seq_{0};  // bumped per loop; idle workers sleep on it
    std::atomic<int> sleepers_{0};
    std::atomic<int> caller_cpu_{-1};  // the CPU the last loop's caller ran on
    // The current loop, written before claim_ publishes it.
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
