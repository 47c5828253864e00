// Reductions against a naive reference over random shapes, axis sets and layouts (transposed,
// reversed, broadcast), on every instruction set; plus NaN and tie rules and long reductions.
#include <dirent.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <random>

#include "../common/half.h"
#include "test_util.h"

using pjtest::isas;
using pjtest::view;

namespace {

struct Case {
    std::vector<int64_t> shape;
    std::vector<int64_t> strides;  // of the x view over a larger buffer
    int64_t offset;
    std::vector<int32_t> axes;
};

/** A random layout of `shape` inside a buffer: dims permuted in memory, some reversed, some gaps. */
Case random_case(std::mt19937& rng, int rank) {
    Case c;
    for (int d = 0; d < rank; d++) c.shape.push_back(1 + rng() % (rank <= 2 ? 70 : 9));
    if (rng() % 5 == 0) c.shape[rng() % rank] = 1;
    std::vector<int> order(rank);
    for (int d = 0; d < rank; d++) order[d] = d;
    std::shuffle(order.begin(), order.end(), rng);
    c.strides.assign(rank, 0);
    int64_t step = 1 + (rng() % 3 == 0);
    c.offset = 0;
    for (int i = rank - 1; i >= 0; i--) {
        int d = order[i];
        bool reverse = rng() % 4 == 0;
        c.strides[d] = reverse ? -step : step;
        if (reverse) c.offset += (c.shape[d] - 1) * step;
        step *= c.shape[d];
    }
    for (int d = 0; d < rank; d++)
        if (rng() % 3 == 0) c.axes.push_back(d);
    return c;
}

int64_t buffer_elements(const Case& c) {
    int64_t hi = c.offset;
    for (size_t d = 0; d < c.shape.size(); d++)
        if (c.strides[d] > 0) hi += (c.shape[d] - 1) * c.strides[d];
    return hi + 1;
}

/** Reference: folds every element into its output position (row-major over out's shape). */
template <class T>
std::vector<double> reference(int op, const std::vector<T>& buf, const Case& c, bool half) {
    const int rank = (int)c.shape.size();
    std::vector<int64_t> out_shape = c.shape;
    for (int a : c.axes) out_shape[a] = 1;
    int64_t total = 1, outputs = 1;
    for (int d = 0; d < rank; d++) total *= c.shape[d], outputs *= out_shape[d];
    std::vector<double> acc(outputs, op == PJ_PROD ? 1.0 : op == PJ_ALL ? 1.0 : 0.0);
    std::vector<double> best(outputs, NAN);
    std::vector<int64_t> seen(outputs, 0);
    std::vector<int64_t> index(rank, 0);
    for (int64_t t = 0; t < total; t++) {
        int64_t rem = t, off = c.offset, o = 0, along = 0;
        for (int d = rank - 1; d >= 0; d--) index[d] = rem % c.shape[d], rem /= c.shape[d];
        int64_t ostride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            off += index[d] * c.strides[d];
            if (out_shape[d] != 1) o += index[d] * ostride;
            ostride *= out_shape[d];
        }
        if (!c.axes.empty()) along = index[c.axes[0]];
        double v = half ? (double)pj_f16_to_f32((uint16_t)buf[off]) : (double)buf[off];
        switch (op) {
            case PJ_SUM: acc[o] += v; break;
            case PJ_PROD: acc[o] *= v; break;
            case PJ_ANY: acc[o] = acc[o] || v != 0; break;
            case PJ_ALL: acc[o] = acc[o] && v != 0; break;
            case PJ_MAX: case PJ_MIN: case PJ_ARGMAX: case PJ_ARGMIN: {
                bool is_max = op == PJ_MAX || op == PJ_ARGMAX;
                bool take = seen[o] == 0 || (!isnan(best[o]) && (isnan(v) || (is_max ? v > best[o] : v < best[o])));
                if (take) best[o] = v, acc[o] = (op == PJ_ARGMAX || op == PJ_ARGMIN) ? (double)along : v;
                seen[o]++;
                break;
            }
        }
    }
    return acc;
}

template <class T>
void run_cases(int dtype, int out_dtype, std::vector<int> ops, double tolerance, int count) {
    std::mt19937 rng(11 + dtype);
    for (int iter = 0; iter < count; iter++) {
        for (int op : ops) {
            Case c = random_case(rng, 1 + iter % 4);
            if ((op == PJ_ARGMAX || op == PJ_ARGMIN)) {
                c.axes = {(int32_t)(rng() % c.shape.size())};
            }
            std::vector<T> buf(buffer_elements(c));
            for (auto& v : buf) {
                if (dtype == PJ_FLOAT16) v = (T)pj_f32_to_f16((float)(int)(rng() % 21) - 10);
                else if (op == PJ_PROD) v = (T)(rng() % 3 == 0 ? -1 : 1) * (T)((rng() % 4) == 0 ? 2 : 1);
                else v = (T)((int)(rng() % 201) - 100) / (T)(dtype >= PJ_FLOAT16 ? 8 : 1);
            }
            std::vector<int64_t> out_shape = c.shape;
            for (int a : c.axes) out_shape[a] = 1;
            int64_t outputs = 1;
            for (auto s : out_shape) outputs *= s;
            const int od = (op == PJ_ARGMAX || op == PJ_ARGMIN) ? PJ_INT64
                           : (op == PJ_ANY || op == PJ_ALL)     ? PJ_BOOL
                           : (op == PJ_MAX || op == PJ_MIN)     ? dtype
                                                                : out_dtype;
            std::vector<int64_t> out(outputs);  // 8 bytes per element whatever the dtype
            pj_tensor tx = view(buf, dtype, c.shape, c.strides, c.offset);
            pj_tensor to = view(out, od, out_shape);
            to.byte_size = outputs * 8;
            int64_t item = od == PJ_BOOL ? 1 : od == PJ_FLOAT16 ? 2 : (od == PJ_FLOAT32 || od == PJ_INT32) ? 4 : 8;
            auto decode = [&](int64_t o) -> double {
                const char* p = (const char*)out.data() + o * item;
                switch (od) {
                    case PJ_BOOL: return (double)*(const uint8_t*)p;
                    case PJ_FLOAT16: return (double)pj_f16_to_f32(*(const uint16_t*)p);
                    case PJ_FLOAT32: return (double)*(const float*)p;
                    case PJ_INT32: return (double)*(const int32_t*)p;
                    case PJ_INT64: return (double)*(const int64_t*)p;
                    default: return *(const double*)p;
                }
            };
            int status = pj_cpu_reduce(op, &tx, c.axes.data(), (int32_t)c.axes.size(), &to);
            ASSERT_EQ(status, PJ_OK) << pj_last_error();
            std::vector<double> want = reference(op, buf, c, dtype == PJ_FLOAT16);
            for (int64_t o = 0; o < outputs; o++) {
                double got = decode(o);
                ASSERT_NEAR(got, want[o], tolerance * (1 + fabs(want[o])))
                    << "op " << op << " output " << o << " rank " << c.shape.size() << " axes " << c.axes.size();
            }
        }
    }
}

}  // namespace

TEST(Reduce, MatchesReferenceOnRandomLayouts) {
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        run_cases<float>(PJ_FLOAT32, PJ_FLOAT32, {PJ_SUM, PJ_MAX, PJ_MIN, PJ_ARGMAX, PJ_ARGMIN, PJ_ANY, PJ_ALL}, 1e-6, 60);
        run_cases<float>(PJ_FLOAT32, PJ_FLOAT32, {PJ_PROD}, 1e-6, 20);
        run_cases<int32_t>(PJ_INT32, PJ_INT64, {PJ_SUM, PJ_MAX, PJ_ARGMIN, PJ_ANY}, 0, 40);
        run_cases<double>(PJ_FLOAT64, PJ_FLOAT64, {PJ_SUM, PJ_MIN, PJ_ARGMAX}, 1e-12, 40);
        run_cases<uint16_t>(PJ_FLOAT16, PJ_FLOAT16, {PJ_MAX, PJ_ARGMAX}, 0, 30);
        run_cases<uint16_t>(PJ_FLOAT16, PJ_FLOAT32, {PJ_SUM}, 1e-6, 30);
    }
}

TEST(Reduce, NaNWinsAndFirstIndexWinsTies) {
    std::vector<float> x = {1, 5, 5, NAN, 2, NAN, 5, 0};
    std::vector<float> m(1);
    std::vector<int64_t> at(1);
    int32_t axis[] = {0};
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        pj_tensor tx = view(x, PJ_FLOAT32, {8}), tm = view(m, PJ_FLOAT32, {1}), ta = view(at, PJ_INT64, {1});
        ASSERT_EQ(pj_cpu_reduce(PJ_MAX, &tx, axis, 1, &tm), PJ_OK);
        EXPECT_TRUE(isnan(m[0]));
        ASSERT_EQ(pj_cpu_reduce(PJ_ARGMAX, &tx, axis, 1, &ta), PJ_OK);
        EXPECT_EQ(at[0], 3);
        ASSERT_EQ(pj_cpu_reduce(PJ_ARGMIN, &tx, axis, 1, &ta), PJ_OK);
        EXPECT_EQ(at[0], 3);
        pj_tensor first3 = view(x, PJ_FLOAT32, {3});
        ASSERT_EQ(pj_cpu_reduce(PJ_ARGMAX, &first3, axis, 1, &ta), PJ_OK);
        EXPECT_EQ(at[0], 1);
    }
}

TEST(Reduce, LongReductionsAreAccurateAndThreadIndependent) {
    const int64_t n = 3'000'001;
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; i++) x[i] = (float)((i % 1000) * 0.001);
    double want = 0;
    for (float v : x) want += v;
    std::vector<float> one(1), two(1);
    std::vector<int64_t> at(1);
    int32_t axis[] = {0};
    pj_tensor tx = view(x, PJ_FLOAT32, {n});
    int threads = pj_cpu_threads();
    pj_cpu_set_threads(1);
    pj_tensor t1 = view(one, PJ_FLOAT32, {1});
    ASSERT_EQ(pj_cpu_reduce(PJ_SUM, &tx, axis, 1, &t1), PJ_OK);
    pj_cpu_set_threads(2);
    pj_tensor t2 = view(two, PJ_FLOAT32, {1});
    ASSERT_EQ(pj_cpu_reduce(PJ_SUM, &tx, axis, 1, &t2), PJ_OK);
    x[2'500'000] = 7.0f;
    pj_tensor ta = view(at, PJ_INT64, {1});
    ASSERT_EQ(pj_cpu_reduce(PJ_ARGMAX, &tx, axis, 1, &ta), PJ_OK);
    pj_cpu_set_threads(threads);
    EXPECT_EQ(one[0], two[0]);
    EXPECT_EQ(one[0], (float)want);
    EXPECT_EQ(at[0], 2'500'000);
}

// Pool workers that slept between loops (they then leave the caller's CPU out of their affinity
// while asleep, see thread_pool.cpp) still give thread-independent results, and no thread's mask
// shrinks by more than that one CPU however often they sleep and wake.
TEST(Reduce, ResultsAndAffinityHoldAcrossWorkerSleeps) {
    const int64_t n = 1 << 21;
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; i++) x[i] = (float)((i * 7919) % 20001) / 2000.0f - 5.0f;
    int32_t axis[] = {0};
    pj_tensor tx = view(x, PJ_FLOAT32, {n});
    const int threads = pj_cpu_threads();
    std::vector<float> want(2), got(2);
    pj_cpu_set_threads(1);
    for (int op : {PJ_SUM, PJ_MAX}) {
        pj_tensor t = view(want, PJ_FLOAT32, {1}, {}, op == PJ_MAX);
        ASSERT_EQ(pj_cpu_reduce(op, &tx, axis, 1, &t), PJ_OK);
    }
    for (int t : {2, 3}) {
        pj_cpu_set_threads(t);
        for (int round = 0; round < 6; round++) {
            usleep(round % 2 ? 2000 : 20000);  // past the workers' polling window: they sleep
            for (int op : {PJ_SUM, PJ_MAX}) {
                pj_tensor o = view(got, PJ_FLOAT32, {1}, {}, op == PJ_MAX);
                ASSERT_EQ(pj_cpu_reduce(op, &tx, axis, 1, &o), PJ_OK);
            }
            EXPECT_EQ(got[0], want[0]);
            EXPECT_EQ(got[1], want[1]);
        }
    }
    pj_cpu_set_threads(threads);
    cpu_set_t process;
    ASSERT_EQ(sched_getaffinity(0, sizeof process, &process), 0);
    DIR* dir = opendir("/proc/self/task");
    ASSERT_NE(dir, nullptr);
    for (dirent* e; (e = readdir(dir)) != nullptr;) {
        if (e->d_name[0] == '.') continue;
        cpu_set_t mask;
        if (sched_getaffinity(atoi(e->d_name), sizeof mask, &mask) != 0) continue;  // thread gone
        cpu_set_t both;
        CPU_AND(&both, &mask, &process);
        EXPECT_EQ(CPU_COUNT(&both), CPU_COUNT(&mask)) << "thread " << e->d_name << " runs outside the process mask";
        EXPECT_GE(CPU_COUNT(&mask), CPU_COUNT(&process) - 1) << "thread " << e->d_name;
    }
    closedir(dir);
}

TEST(Reduce, SumOfIntegersWidensAndBoolsCount) {
    std::vector<int8_t> x(1000, 100);
    std::vector<int64_t> s(1);
    std::vector<uint8_t> flags(300, 1);
    int32_t axis[] = {0};
    pj_tensor tx = view(x, PJ_INT8, {1000}), ts = view(s, PJ_INT64, {1}), tf = view(flags, PJ_BOOL, {300});
    ASSERT_EQ(pj_cpu_reduce(PJ_SUM, &tx, axis, 1, &ts), PJ_OK);
    EXPECT_EQ(s[0], 100000);
    ASSERT_EQ(pj_cpu_reduce(PJ_SUM, &tf, axis, 1, &ts), PJ_OK);
    EXPECT_EQ(s[0], 300);
}

TEST(Reduce, ZerosFollowJavaMaxAndMin) {
    // Of +0.0 and -0.0, MAX gives +0.0 and MIN -0.0, wherever they sit (vector body or tail).
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        for (int n : {3, 1000}) {
            for (int at : {0, n / 2, n - 1}) {
                std::vector<float> x(n, -0.0f);
                x[at] = 0.0f;
                std::vector<float> m(1);
                int32_t axis[] = {0};
                pj_tensor tx = view(x, PJ_FLOAT32, {n}), tm = view(m, PJ_FLOAT32, {1});
                ASSERT_EQ(pj_cpu_reduce(PJ_MAX, &tx, axis, 1, &tm), PJ_OK);
                EXPECT_FALSE(signbit(m[0])) << isa << " n=" << n << " at=" << at;
                ASSERT_EQ(pj_cpu_reduce(PJ_MIN, &tx, axis, 1, &tm), PJ_OK);
                EXPECT_TRUE(signbit(m[0])) << isa << " n=" << n << " at=" << at;
                for (auto& v : x) v = 0.0f;
                x[at] = -0.0f;
                ASSERT_EQ(pj_cpu_reduce(PJ_MIN, &tx, axis, 1, &tm), PJ_OK);
                EXPECT_TRUE(signbit(m[0])) << isa << " n=" << n << " at=" << at;
                ASSERT_EQ(pj_cpu_reduce(PJ_MAX, &tx, axis, 1, &tm), PJ_OK);
                EXPECT_FALSE(signbit(m[0])) << isa << " n=" << n << " at=" << at;
            }
        }
    }
}
