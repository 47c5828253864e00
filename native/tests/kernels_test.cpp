// Elementwise kernels on every instruction set this CPU runs: float32 math within a few ulps of
// the correctly rounded value, exact integer semantics (wrapping, floor division), casts, half
// types, and strided / broadcast / reversed / in-place layouts agreeing with the dense case.
#include <atomic>
#include <random>
#include <thread>

#include "../common/half.h"
#include "test_util.h"

using pjtest::isas;
using pjtest::ulps;
using pjtest::view;

namespace {

std::vector<float> interesting_floats() {
    std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 2.5f, -2.5f, 3.5f, 0.625f, -0.625f, 0.6249f, 1e-8f,
                            -1e-8f, 1e-40f, -1e-40f, 88.72f, 88.73f, -87.3f, -103.9f, -104.5f, 9.0f, -9.5f, 20.0f,
                            1e30f, -1e30f, 8388608.5f, 16777215.0f, INFINITY, -INFINITY, NAN, 3.4028235e38f, 1.1754944e-38f};
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> wide(-100.0f, 100.0f), narrow(-2.0f, 2.0f);
    for (int i = 0; i < 4000; i++) v.push_back(i % 2 ? wide(rng) : narrow(rng));
    for (int i = 0; i < 500; i++) v.push_back(std::ldexp(1.0f + narrow(rng) / 4, (int)(rng() % 250) - 125));
    return v;
}

double reference(int op, double x) {
    switch (op) {
        case PJ_EXP: return exp(x);
        case PJ_EXPM1: return expm1(x);
        case PJ_LOG: return log(x);
        case PJ_LOG1P: return log1p(x);
        case PJ_SQRT: return sqrt(x);
        case PJ_RECIPROCAL: return 1.0 / x;
        case PJ_SIN: return sin(x);
        case PJ_COS: return cos(x);
        case PJ_TAN: return tan(x);
        case PJ_TANH: return tanh(x);
        case PJ_SIGMOID: return 1.0 / (1.0 + exp(-x));
        case PJ_ERF: return erf(x);
        case PJ_FLOOR: return floor(x);
        case PJ_CEIL: return ceil(x);
        case PJ_ROUND: return nearbyint(x);
        case PJ_NEG: return -x;
        case PJ_ABS: return fabs(x);
        case PJ_SQUARE: return x * x;
        case PJ_RELU: return isnan(x) ? x : x > 0 ? x : 0.0;
        case PJ_SIGN: return isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
        default: return NAN;
    }
}

}  // namespace

TEST(Kernels, Float32UnaryWithinUlps) {
    std::vector<float> x = interesting_floats();
    std::vector<float> out(x.size());
    const int n = (int)x.size();
    for (const std::string& isa : isas()) {
        ASSERT_EQ(pj_cpu_select_isa(isa.c_str()), PJ_OK);
        for (int op : {PJ_NEG, PJ_ABS, PJ_SIGN, PJ_SQUARE, PJ_RELU, PJ_FLOOR, PJ_CEIL, PJ_ROUND, PJ_EXP, PJ_EXPM1, PJ_LOG,
                       PJ_LOG1P, PJ_SQRT, PJ_RECIPROCAL, PJ_SIN, PJ_COS, PJ_TAN, PJ_TANH, PJ_SIGMOID, PJ_ERF}) {
            pj_tensor tx = view(x, PJ_FLOAT32, {n}), to = view(out, PJ_FLOAT32, {n});
            ASSERT_EQ(pj_cpu_unary(op, &tx, &to), PJ_OK) << pj_last_error();
            const int64_t allowed = (op >= PJ_EXP && op <= PJ_ERF) ? 3 : 0;
            for (int i = 0; i < n; i++) {
                float want = (float)reference(op, x[i]);
                ASSERT_LE(ulps(out[i], want), allowed) << isa << " op " << op << " x=" << x[i] << " got " << out[i] << " want " << want;
            }
        }
    }
}

TEST(Kernels, HalfTypesComputeInFloat32AndRoundOnce) {
    std::vector<uint16_t> h(4096), out(4096), want(4096);
    for (int i = 0; i < 4096; i++) h[i] = pj_f32_to_f16(-8.0f + i / 256.0f);
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        pj_tensor tx = view(h, PJ_FLOAT16, {4096}), to = view(out, PJ_FLOAT16, {4096});
        ASSERT_EQ(pj_cpu_unary(PJ_TANH, &tx, &to), PJ_OK);
        for (int i = 0; i < 4096; i++) {
            float w = tanhf(pj_f16_to_f32(h[i]));
            int d = (int)out[i] - (int)pj_f32_to_f16(w);
            ASSERT_LE(abs(d), 1) << isa << " " << pj_f16_to_f32(h[i]);
        }
        std::vector<uint16_t> b(4096, pj_f32_to_bf16(3.0f)), bo(4096);
        for (int i = 0; i < 4096; i++) b[i] = pj_f32_to_bf16(i * 0.37f - 700.0f);
        pj_tensor tb = view(b, PJ_BFLOAT16, {4096}), tbo = view(bo, PJ_BFLOAT16, {4096});
        ASSERT_EQ(pj_cpu_binary(PJ_MUL, &tb, &tb, &tbo), PJ_OK);
        for (int i = 0; i < 4096; i++) {
            float v = pj_bf16_to_f32(b[i]);
            ASSERT_EQ(bo[i], pj_f32_to_bf16(v * v)) << v;
        }
    }
}

template <class T>
void check_integer_semantics(int dtype) {
    std::vector<T> a, b;
    const T lo = (T)(T(0) - T(1)) < T(0) ? (T)((uint64_t)1 << (8 * sizeof(T) - 1)) : T(0);
    std::vector<int64_t> picks = {0, 1, -1, 2, -2, 3, -3, 7, -7, 100, -100, (int64_t)lo, (int64_t)(T)((uint64_t)lo - 1)};
    for (int64_t x : picks)
        for (int64_t y : picks) a.push_back((T)x), b.push_back((T)y);
    const int n = (int)a.size();
    std::vector<T> out(n);
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        for (int op : {PJ_ADD, PJ_SUB, PJ_MUL, PJ_FLOORDIV, PJ_MOD, PJ_MAXIMUM, PJ_MINIMUM, PJ_AND, PJ_XOR}) {
            pj_tensor ta = view(a, dtype, {n}), tb = view(b, dtype, {n}), to = view(out, dtype, {n});
            ASSERT_EQ(pj_cpu_binary(op, &ta, &tb, &to), PJ_OK) << pj_last_error();
            for (int i = 0; i < n; i++) {
                // Reference in 128-bit arithmetic, wrapped to T.
                __int128 x = a[i], y = b[i], r = 0;
                switch (op) {
                    case PJ_ADD: r = x + y; break;
                    case PJ_SUB: r = x - y; break;
                    case PJ_MUL: r = x * y; break;
                    case PJ_FLOORDIV:
                        if (y == 0) r = 0;
                        else {
                            r = x / y;
                            if ((x % y != 0) && ((x < 0) != (y < 0))) r -= 1;
                        }
                        break;
                    case PJ_MOD:
                        if (y == 0) r = 0;
                        else {
                            r = x % y;
                            if (r != 0 && ((r < 0) != (y < 0))) r += y;
                        }
                        break;
                    case PJ_MAXIMUM: r = x > y ? x : y; break;
                    case PJ_MINIMUM: r = x < y ? x : y; break;
                    case PJ_AND: r = x & y; break;
                    case PJ_XOR: r = x ^ y; break;
                }
                ASSERT_EQ(out[i], (T)(uint64_t)r) << isa << " op " << op << " " << (int64_t)a[i] << ", " << (int64_t)b[i];
            }
        }
    }
}

TEST(Kernels, IntegerArithmeticWrapsAndFloorsLikePython) {
    check_integer_semantics<int8_t>(PJ_INT8);
    check_integer_semantics<uint8_t>(PJ_UINT8);
    check_integer_semantics<int16_t>(PJ_INT16);
    check_integer_semantics<int32_t>(PJ_INT32);
    check_integer_semantics<int64_t>(PJ_INT64);
}

TEST(Kernels, FloatFloorDivAndModFollowNumpy) {
    std::vector<double> a = {7, -7, 7, -7, 0.5, 1, -0.0, 5, 1e300, INFINITY, 3, 0};
    std::vector<double> b = {2, 2, -2, -2, 0.1, 0, 3, INFINITY, 1e-300, 2, -INFINITY, 0};
    std::vector<double> q = {3, -4, -4, 3, 4, INFINITY, -0.0, 0, INFINITY, NAN, -1, NAN};
    std::vector<double> m = {1, 1, -1, -1, 0.09999999999999998, NAN, 0, 5, NAN, NAN, -INFINITY, NAN};
    const int n = (int)a.size();
    std::vector<double> out(n);
    pj_tensor ta = view(a, PJ_FLOAT64, {n}), tb = view(b, PJ_FLOAT64, {n}), to = view(out, PJ_FLOAT64, {n});
    ASSERT_EQ(pj_cpu_binary(PJ_FLOORDIV, &ta, &tb, &to), PJ_OK);
    for (int i = 0; i < n; i++) EXPECT_TRUE(out[i] == q[i] || (isnan(out[i]) && isnan(q[i]))) << a[i] << " // " << b[i] << " = " << out[i];
    EXPECT_TRUE(signbit(out[6]));
    ASSERT_EQ(pj_cpu_binary(PJ_MOD, &ta, &tb, &to), PJ_OK);
    for (int i = 0; i < n; i++)
        if (i != 8 && i != 9 && i != 10) {
            EXPECT_TRUE(out[i] == m[i] || (isnan(out[i]) && isnan(m[i]))) << a[i] << " % " << b[i] << " = " << out[i];
        }
}

TEST(Kernels, MaximumAndMinimumFollowJavaMath) {
    // NaN propagates; of two zeros, max gives +0.0 and min -0.0. 67 elements: vector body and tail.
    std::vector<float> a, b;
    for (int i = 0; i < 67; i++) {
        float pa[] = {1, NAN, 3, NAN, -0.0f, 0.0f, -0.0f, 2};
        float pb[] = {NAN, 2, 1, NAN, 0.0f, -0.0f, -0.0f, 2};
        a.push_back(pa[i % 8]), b.push_back(pb[i % 8]);
    }
    std::vector<float> mx(67), mn(67);
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        pj_tensor ta = view(a, PJ_FLOAT32, {67}), tb = view(b, PJ_FLOAT32, {67});
        pj_tensor tx = view(mx, PJ_FLOAT32, {67}), tn = view(mn, PJ_FLOAT32, {67});
        ASSERT_EQ(pj_cpu_binary(PJ_MAXIMUM, &ta, &tb, &tx), PJ_OK);
        ASSERT_EQ(pj_cpu_binary(PJ_MINIMUM, &ta, &tb, &tn), PJ_OK);
        for (int i = 0; i < 67; i++) {
            float want_max = (isnan(a[i]) || isnan(b[i])) ? NAN : (a[i] == 0 && b[i] == 0) ? ((signbit(a[i]) && signbit(b[i])) ? -0.0f : 0.0f) : fmaxf(a[i], b[i]);
            float want_min = (isnan(a[i]) || isnan(b[i])) ? NAN : (a[i] == 0 && b[i] == 0) ? ((signbit(a[i]) || signbit(b[i])) ? -0.0f : 0.0f) : fminf(a[i], b[i]);
            ASSERT_TRUE((isnan(mx[i]) && isnan(want_max)) || (mx[i] == want_max && signbit(mx[i]) == signbit(want_max))) << isa << " " << i;
            ASSERT_TRUE((isnan(mn[i]) && isnan(want_min)) || (mn[i] == want_min && signbit(mn[i]) == signbit(want_min))) << isa << " " << i;
        }
    }
}

TEST(Kernels, FusedReluStepsMatchTheirCompositions) {
    // ADD_RELU is relu(a + b); RELU_GRAD is a where b > 0, 0 where b <= 0, NaN where b is NaN.
    // 67 elements: vector body and tail; a broadcast row (stride 0) as the bias is.
    std::vector<float> a, b, bias = {0.5f};
    for (int i = 0; i < 67; i++) {
        float pa[] = {1, -2, NAN, 3, -0.0f, 0.0f, INFINITY, -1};
        float pb[] = {-1, 1, 2, NAN, 0.0f, -0.0f, -INFINITY, 0.25f};
        a.push_back(pa[i % 8] * (1 + i)), b.push_back(pb[i % 8]);
    }
    std::vector<float> sum(67), grad(67), biased(67);
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        pj_tensor ta = view(a, PJ_FLOAT32, {67}), tb = view(b, PJ_FLOAT32, {67});
        pj_tensor ts = view(sum, PJ_FLOAT32, {67}), tg = view(grad, PJ_FLOAT32, {67}), tbi = view(biased, PJ_FLOAT32, {67});
        pj_tensor row = view(bias, PJ_FLOAT32, {67}, {0});
        ASSERT_EQ(pj_cpu_binary(PJ_ADD_RELU, &ta, &tb, &ts), PJ_OK);
        ASSERT_EQ(pj_cpu_binary(PJ_RELU_GRAD, &ta, &tb, &tg), PJ_OK);
        ASSERT_EQ(pj_cpu_binary(PJ_ADD_RELU, &ta, &row, &tbi), PJ_OK);
        for (int i = 0; i < 67; i++) {
            float s = a[i] + b[i], sb = a[i] + 0.5f;
            float want_sum = isnan(s) ? s : s > 0 ? s : 0.0f, want_biased = isnan(sb) ? sb : sb > 0 ? sb : 0.0f;
            float want_grad = b[i] > 0 ? a[i] : isnan(b[i]) ? b[i] : 0.0f;
            ASSERT_TRUE((isnan(sum[i]) && isnan(want_sum)) || (sum[i] == want_sum && !signbit(sum[i]))) << isa << " " << i;
            ASSERT_TRUE((isnan(biased[i]) && isnan(want_biased)) || (biased[i] == want_biased && !signbit(biased[i]))) << isa << " " << i;
            ASSERT_TRUE((isnan(grad[i]) && isnan(want_grad)) || (grad[i] == want_grad && signbit(grad[i]) == signbit(want_grad))) << isa << " " << i;
        }
    }
}

TEST(Kernels, CastsTruncateSaturateAndWrapLikeJava) {
    std::vector<double> x = {1.9, -1.9, 300.0, -129.0, 1e20, -1e20, NAN, 65535.7, 3e9};
    const int n = (int)x.size();
    std::vector<int8_t> i8(n);
    std::vector<int32_t> i32(n);
    std::vector<int64_t> i64(n);
    std::vector<uint8_t> u8(n), b(n);
    pj_tensor tx = view(x, PJ_FLOAT64, {n});
    pj_tensor t8 = view(i8, PJ_INT8, {n}), t32 = view(i32, PJ_INT32, {n}), t64 = view(i64, PJ_INT64, {n});
    pj_tensor tu8 = view(u8, PJ_UINT8, {n}), tb = view(b, PJ_BOOL, {n});
    ASSERT_EQ(pj_cpu_copy(&tx, &t8), PJ_OK);
    ASSERT_EQ(pj_cpu_copy(&tx, &t32), PJ_OK);
    ASSERT_EQ(pj_cpu_copy(&tx, &t64), PJ_OK);
    ASSERT_EQ(pj_cpu_copy(&tx, &tu8), PJ_OK);
    ASSERT_EQ(pj_cpu_copy(&tx, &tb), PJ_OK);
    for (int i = 0; i < n; i++) {
        // Java's (long) cast, then the low bits (the reference backend's rule)
        int64_t java_long = isnan(x[i]) ? 0 : x[i] >= 9.2233720368547758e18 ? INT64_MAX : x[i] <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)x[i];
        EXPECT_EQ(i64[i], java_long) << x[i];
        EXPECT_EQ(i32[i], (int32_t)java_long) << x[i];
        EXPECT_EQ(i8[i], (int8_t)java_long) << x[i];
        EXPECT_EQ(u8[i], (uint8_t)java_long) << x[i];
        EXPECT_EQ(b[i], x[i] != 0) << x[i];
    }
}

TEST(Kernels, LayoutsAgreeWithTheDenseResult) {
    const int rows = 37, cols = 53;
    std::vector<float> a(rows * cols), b(rows * cols), dense(rows * cols), out(rows * cols * 2);
    std::mt19937 rng(3);
    for (auto& v : a) v = (float)(rng() % 1000) / 10 - 50;
    for (auto& v : b) v = (float)(rng() % 1000) / 10 - 50;
    for (const std::string& isa : isas()) {
        pj_cpu_select_isa(isa.c_str());
        pj_tensor ta = view(a, PJ_FLOAT32, {rows, cols}), tb = view(b, PJ_FLOAT32, {rows, cols});
        pj_tensor td = view(dense, PJ_FLOAT32, {rows, cols});
        ASSERT_EQ(pj_cpu_binary(PJ_SUB, &ta, &tb, &td), PJ_OK);
        // a read reversed in both dims, b transposed-shaped view, out with a gap between elements.
        pj_tensor ra = view(a, PJ_FLOAT32, {rows, cols}, {-cols, -1}, rows * cols - 1);
        pj_tensor so = view(out, PJ_FLOAT32, {rows, cols}, {2 * cols, 2});
        ASSERT_EQ(pj_cpu_binary(PJ_SUB, &ra, &tb, &so), PJ_OK);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                ASSERT_EQ(out[2 * (i * cols + j)], a[(rows - 1 - i) * cols + (cols - 1 - j)] - b[i * cols + j]);
        // Broadcast: a row vector (stride 0 over rows) and a column (stride 0 over columns).
        pj_tensor row = view(a, PJ_FLOAT32, {rows, cols}, {0, 1}), column = view(b, PJ_FLOAT32, {rows, cols}, {cols, 0});
        ASSERT_EQ(pj_cpu_binary(PJ_ADD, &row, &column, &so), PJ_OK);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) ASSERT_EQ(out[2 * (i * cols + j)], a[j] + b[i * cols]);
        // In place: b = exp(b) reading and writing the same elements.
        std::vector<float> c = b, expect(rows * cols);
        pj_tensor tc = view(c, PJ_FLOAT32, {rows, cols}), te = view(expect, PJ_FLOAT32, {rows, cols});
        ASSERT_EQ(pj_cpu_unary(PJ_EXP, &tb, &te), PJ_OK);
        ASSERT_EQ(pj_cpu_unary(PJ_EXP, &tc, &tc), PJ_OK);
        ASSERT_EQ(c, expect);
    }
}

TEST(Kernels, ThreadedResultsEqualSingleThreaded) {
    const int n = 1 << 20;
    std::vector<float> x(n), one(n), two(n);
    for (int i = 0; i < n; i++) x[i] = (float)(((int64_t)i * 7919) % 20001) / 1000.0f - 10.0f;
    pj_tensor tx = view(x, PJ_FLOAT32, {n});
    int threads = pj_cpu_threads();
    pj_cpu_set_threads(1);
    pj_tensor t1 = view(one, PJ_FLOAT32, {n});
    ASSERT_EQ(pj_cpu_unary(PJ_TANH, &tx, &t1), PJ_OK);
    pj_cpu_set_threads(threads > 1 ? threads : 2);
    pj_tensor t2 = view(two, PJ_FLOAT32, {n});
    ASSERT_EQ(pj_cpu_unary(PJ_TANH, &tx, &t2), PJ_OK);
    pj_cpu_set_threads(threads);
    ASSERT_EQ(one, two);
}

TEST(Kernels, WhereSelectsBits) {
    std::vector<uint8_t> c = {1, 0, 1, 0, 2};
    std::vector<int64_t> a = {1, 2, 3, 4, 5}, b = {-1, -2, -3, -4, -5}, out(5);
    pj_tensor tc = view(c, PJ_BOOL, {5}), ta = view(a, PJ_INT64, {5}), tb = view(b, PJ_INT64, {5}), to = view(out, PJ_INT64, {5});
    ASSERT_EQ(pj_cpu_where(&tc, &ta, &tb, &to), PJ_OK);
    EXPECT_EQ(out, (std::vector<int64_t>{1, -2, 3, -4, 5}));
}

TEST(Kernels, ConcurrentCallersGetCorrectResults) {
    // Several threads share the pool: one gets it per loop, the others run alone; all must be right.
    const int n = 200000;
    std::vector<std::thread> callers;
    std::atomic<int> wrong{0};
    for (int c = 0; c < 4; c++) {
        callers.emplace_back([&, c] {
            std::vector<float> x(n), out(n);
            for (int i = 0; i < n; i++) x[i] = (float)(i % 1000 + c);
            pj_tensor tx = view(x, PJ_FLOAT32, {n}), to = view(out, PJ_FLOAT32, {n});
            for (int r = 0; r < 50; r++) {
                if (pj_cpu_binary(PJ_ADD, &tx, &tx, &to) != PJ_OK) wrong++;
                for (int i = 0; i < n; i += 997)
                    if (out[i] != 2 * x[i]) wrong++;
                if (c == 0 && r % 10 == 0) pj_cpu_set_threads(1 + r % 3);  // resizing while others run
            }
        });
    }
    for (auto& t : callers) t.join();
    pj_cpu_set_threads(2);
    EXPECT_EQ(wrong.load(), 0);
}

TEST(Memory, ReusedBlocksAreZeroAndDistinct) {
    // Freed blocks are cached by size class and handed out again: zero-filled every time.
    for (int64_t bytes : {int64_t(5000), int64_t(262144), int64_t(1605632), int64_t(3 << 20)}) {
        for (int round = 0; round < 3; round++) {
            char* p = static_cast<char*>(pj_cpu_alloc(bytes));
            char* q = static_cast<char*>(pj_cpu_alloc(bytes - 100));  // same class, another block
            ASSERT_NE(p, nullptr);
            ASSERT_NE(q, nullptr);
            ASSERT_NE(p, q);
            ASSERT_EQ((uintptr_t)p % 64, 0u);
            for (int64_t i = 0; i < bytes; i += 61) ASSERT_EQ(p[i], 0) << bytes << " at " << i;
            for (int64_t i = 0; i < bytes - 100; i += 61) ASSERT_EQ(q[i], 0) << bytes - 100 << " at " << i;
            memset(p, 0x5a, bytes);
            memset(q, 0x5a, bytes - 100);
            pj_cpu_free(q, bytes - 100);
            pj_cpu_free(p, bytes);
        }
    }
}

TEST(Optimizer, Float32UpdatesMatchDoubleFormulas) {
    // The float32 vector loops (and their scalar tails) against the OptimizerKind formulas in double.
    const int64_t n = 1000 + 7;
    struct Case { int kind; std::vector<double> h; int states; } cases[] = {
        {0, {0.1, 0.0, 0.0, 0}, 0}, {0, {0.1, 0.01, 0.9, 1}, 1}, {1, {1e-3, 0.0, 0.9, 0.999, 1e-7, 3, 0}, 2},
        {1, {1e-3, 0.004, 0.9, 0.999, 1e-7, 1, 1}, 3}, {2, {1e-3, 0.0, 0.9, 0.5, 1e-7, 1}, 3}, {2, {1e-3, 0.0, 0.9, 0.0, 1e-7, 0}, 1},
        {3, {1e-2, 0.0, 1e-7}, 1}};
    for (const std::string& isa : pjtest::isas()) {
        ASSERT_EQ(pj_cpu_select_isa(isa.c_str()), PJ_OK);
        for (const Case& c : cases) {
            std::vector<float> p(n), g(n), s0(n), s1(n), s2(n);
            for (int64_t i = 0; i < n; i++) {
                p[i] = (float)((i * 37) % 101) / 50.0f - 1.0f, g[i] = (float)((i * 53) % 97) / 40.0f - 1.2f;
                s0[i] = (float)(i % 13) / 13.0f, s1[i] = (float)(i % 7) / 7.0f, s2[i] = (float)(i % 5) / 5.0f;
            }
            std::vector<double> P(p.begin(), p.end()), S0(s0.begin(), s0.end()), S1(s1.begin(), s1.end()), S2(s2.begin(), s2.end());
            pj_tensor tp = view(p, PJ_FLOAT32, {n}), tg = view(g, PJ_FLOAT32, {n});
            pj_tensor ts[3] = {view(s0, PJ_FLOAT32, {n}), view(s1, PJ_FLOAT32, {n}), view(s2, PJ_FLOAT32, {n})};
            const pj_tensor* st[3] = {&ts[0], &ts[1], &ts[2]};
            ASSERT_EQ(pj_cpu_optimizer_step(c.kind, &tp, &tg, st, c.states, c.h.data(), (int)c.h.size()), PJ_OK) << pj_last_error();
            const double* h = c.h.data();
            auto f = [](double x) { return (double)(float)x; };  // a value stored to float32 and read back, as the reference does
            for (int64_t i = 0; i < n; i++) {
                double w = h[1] != 0 ? f(P[i] - P[i] * h[1] * h[0]) : P[i], gi = g[i], want;
                if (c.kind == 0) {
                    if (h[2] == 0) want = w - h[0] * gi;
                    else { double v = f(h[2] * S0[i] - h[0] * gi); want = h[3] != 0 ? w + h[2] * v - h[0] * gi : w + v; }
                } else if (c.kind == 1) {
                    double m = f(S0[i] + (gi - S0[i]) * (1 - h[2])), v = f(S1[i] + (gi * gi - S1[i]) * (1 - h[3]));
                    if (h[6] != 0) v = std::max(S2[i], v);
                    double alpha = h[0] * sqrt(1 - pow(h[3], h[5])) / (1 - pow(h[2], h[5]));
                    want = w - alpha * m / (sqrt(v) + h[4]);
                } else if (c.kind == 2) {
                    double v = f(h[2] * S0[i] + (1 - h[2]) * gi * gi), d = v + h[4];
                    if (h[5] != 0) {  // centered: the average grad is the last state
                        double a = f(h[2] * (h[3] > 0 ? S2[i] : S1[i]) + (1 - h[2]) * gi);
                        d = v - a * a + h[4];
                    }
                    double inc = h[0] * gi / sqrt(d);
                    want = h[3] > 0 ? w - f(h[3] * S1[i] + inc) : w - inc;
                } else {
                    want = w - h[0] * gi / sqrt(f(S0[i] + gi * gi) + h[2]);
                }
                if (isnan(want)) ASSERT_TRUE(isnan(p[i])) << isa << " kind " << c.kind << " at " << i;  // centered: v < a * a
                else ASSERT_NEAR(p[i], want, 1e-6 + 1e-6 * fabs(want)) << isa << " kind " << c.kind << " at " << i;
            }
        }
    }
}
