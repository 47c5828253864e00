// Matrix products against a naive double reference: every operand layout BLAS takes or not,
// batched with broadcast batch dims, output aliasing an input, integers exact, halves, empty k.
#include <random>

#include "../common/half.h"
#include "test_util.h"

using pjtest::view;

namespace {

template <class T>
void naive(const T* a, int64_t ars, int64_t acs, const T* b, int64_t brs, int64_t bcs, double* c, int64_t m, int64_t n, int64_t k) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t p = 0; p < k; p++) s += (double)a[i * ars + p * acs] * (double)b[p * brs + j * bcs];
            c[i * n + j] = s;
        }
}

/** Strides of a rows x cols matrix in one of four layouts: row-major, column-major, padded, reversed rows. */
std::vector<int64_t> layout(int kind, int64_t rows, int64_t cols, int64_t* offset) {
    *offset = 0;
    switch (kind) {
        case 0: return {cols, 1};
        case 1: return {1, rows};
        case 2: return {cols + 3, 1};
        default: *offset = (rows - 1) * cols; return {-cols, 1};
    }
}

}  // namespace


TEST(Matmul, FloatLayoutsAgreeWithReference) {
    pj_cpu_load_blas(nullptr);
    std::mt19937 rng(5);
    for (int64_t m : {1, 7, 64}) for (int64_t n : {1, 5, 33}) for (int64_t k : {1, 9, 70}) {
        for (int la = 0; la < 4; la++) for (int lb = 0; lb < 4; lb++) for (int lc = 0; lc < 3; lc++) {
            int64_t oa, ob, oc;
            auto sa = layout(la, m, k, &oa), sb = layout(lb, k, n, &ob), sc = layout(lc, m, n, &oc);
            std::vector<float> a((m + 1) * (k + 3) + 8), b((k + 1) * (n + 3) + 8), c((m + 1) * (n + 3) + 8, -9.0f);
            for (auto& v : a) v = (float)((int)(rng() % 17) - 8) / 4;
            for (auto& v : b) v = (float)((int)(rng() % 17) - 8) / 4;
            pj_tensor ta = view(a, PJ_FLOAT32, {m, k}, sa, oa), tb = view(b, PJ_FLOAT32, {k, n}, sb, ob);
            pj_tensor tc = view(c, PJ_FLOAT32, {m, n}, sc, oc);
            ASSERT_EQ(pj_cpu_matmul(&ta, &tb, &tc), PJ_OK) << pj_last_error();
            std::vector<double> want(m * n);
            naive(a.data() + oa, sa[0], sa[1], b.data() + ob, sb[0], sb[1], want.data(), m, n, k);
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++)
                    ASSERT_EQ((double)c[oc + i * sc[0] + j * sc[1]], want[i * n + j])
                        << m << "x" << n << "x" << k << " layouts " << la << lb << lc;
        }
    }
}

TEST(Matmul, BatchedWithBroadcastAndAliasing) {
    pj_cpu_load_blas(nullptr);
    const int64_t B = 5, m = 6, k = 6, n = 6;
    std::vector<double> a(B * m * k), w(k * n), c(B * m * n);
    for (size_t i = 0; i < a.size(); i++) a[i] = (double)(i % 13) - 6;
    for (size_t i = 0; i < w.size(); i++) w[i] = (double)(i % 7) - 3;
    pj_tensor ta = view(a, PJ_FLOAT64, {B, m, k}), tw = view(w, PJ_FLOAT64, {B, k, n}, {0, n, 1}), tc = view(c, PJ_FLOAT64, {B, m, n});
    ASSERT_EQ(pj_cpu_matmul(&ta, &tw, &tc), PJ_OK) << pj_last_error();
    std::vector<double> want(m * n);
    for (int64_t bi = 0; bi < B; bi++) {
        naive(a.data() + bi * m * k, k, 1, w.data(), n, 1, want.data(), m, n, k);
        for (int64_t i = 0; i < m * n; i++) ASSERT_EQ(c[bi * m * n + i], want[i]);
    }
    // out is a itself: the product must still read the original a.
    ASSERT_EQ(pj_cpu_matmul(&ta, &tw, &ta), PJ_OK) << pj_last_error();
    EXPECT_EQ(a, c);
}

TEST(Matmul, IntegersAreExactAndWrap) {
    std::vector<int8_t> a = {100, 100, 100, -128}, b = {2, 1, 1, 1};
    std::vector<int8_t> c(4);
    pj_tensor ta = view(a, PJ_INT8, {2, 2}), tb = view(b, PJ_INT8, {2, 2}), tc = view(c, PJ_INT8, {2, 2});
    ASSERT_EQ(pj_cpu_matmul(&ta, &tb, &tc), PJ_OK) << pj_last_error();
    EXPECT_EQ(c[0], (int8_t)(100 * 2 + 100 * 1));
    EXPECT_EQ(c[3], (int8_t)(100 - 128));
    std::vector<int64_t> big = {3037000500LL, 1, 1, 1}, out(4);
    pj_tensor tbig = view(big, PJ_INT64, {2, 2}), tout = view(out, PJ_INT64, {2, 2});
    ASSERT_EQ(pj_cpu_matmul(&tbig, &tbig, &tout), PJ_OK);
    EXPECT_EQ(out[0], (int64_t)((uint64_t)3037000500LL * 3037000500ULL + 1));
    std::vector<uint8_t> p = {1, 0, 0, 0}, q = {0, 1, 1, 0}, r(4);
    pj_tensor tp = view(p, PJ_BOOL, {2, 2}), tq = view(q, PJ_BOOL, {2, 2}), tr = view(r, PJ_BOOL, {2, 2});
    ASSERT_EQ(pj_cpu_matmul(&tp, &tq, &tr), PJ_OK);
    EXPECT_EQ(r, (std::vector<uint8_t>{0, 1, 0, 0}));
}

TEST(Matmul, HalfTypesAndEmptyInnerDimension) {
    std::vector<uint16_t> a(12), b(12), c(9);
    for (int i = 0; i < 12; i++) a[i] = pj_f32_to_f16(i * 0.5f), b[i] = pj_f32_to_f16(1.0f - i * 0.25f);
    pj_tensor ta = view(a, PJ_FLOAT16, {3, 4}), tb = view(b, PJ_FLOAT16, {4, 3}), tc = view(c, PJ_FLOAT16, {3, 3});
    ASSERT_EQ(pj_cpu_matmul(&ta, &tb, &tc), PJ_OK) << pj_last_error();
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            float s = 0;
            for (int p = 0; p < 4; p++) s += pj_f16_to_f32(a[i * 4 + p]) * pj_f16_to_f32(b[p * 3 + j]);
            EXPECT_EQ(c[i * 3 + j], pj_f32_to_f16(s));
        }
    std::vector<float> e, out(6, 5.0f);
    pj_tensor ea = view(e, PJ_FLOAT32, {2, 0}), eb = view(e, PJ_FLOAT32, {0, 3}), eo = view(out, PJ_FLOAT32, {2, 3});
    ASSERT_EQ(pj_cpu_matmul(&ea, &eb, &eo), PJ_OK) << pj_last_error();
    for (float v : out) EXPECT_EQ(v, 0.0f);
}

TEST(Matmul, LargeProductsDoNotDependOnTheThreadCount) {
    // Large products are split over the pool in blocks of whole rows or columns; gemv serves single
    // rows and columns. Every element must come out bit for bit the same for any thread count, and
    // agree with a double reference.
    pj_cpu_load_blas(nullptr);
    const int threads = pj_cpu_threads();
    std::mt19937 rng(11);
    struct Shape { int64_t m, n, k; } shapes[] = {{96, 300, 200}, {300, 130, 70}, {1, 2200, 1000}, {2200, 1, 1000}, {1, 1, 5000}};
    for (const Shape& s : shapes) {
        for (int la = 0; la < 2; la++) for (int lb = 0; lb < 2; lb++) for (int lc = 0; lc < 2; lc++) {
            int64_t oa, ob, oc;
            auto sa = layout(la, s.m, s.k, &oa), sb = layout(lb, s.k, s.n, &ob), sc = layout(lc, s.m, s.n, &oc);
            std::vector<float> a(s.m * s.k), b(s.k * s.n);
            for (auto& v : a) v = std::uniform_real_distribution<float>(-1, 1)(rng);
            for (auto& v : b) v = std::uniform_real_distribution<float>(-1, 1)(rng);
            pj_tensor ta = view(a, PJ_FLOAT32, {s.m, s.k}, sa, oa), tb = view(b, PJ_FLOAT32, {s.k, s.n}, sb, ob);
            std::vector<std::vector<float>> results;
            for (int t : {1, 2, 3}) {
                pj_cpu_set_threads(t);
                std::vector<float> c(s.m * s.n, -9.0f);
                pj_tensor tc = view(c, PJ_FLOAT32, {s.m, s.n}, sc, oc);
                ASSERT_EQ(pj_cpu_matmul(&ta, &tb, &tc), PJ_OK) << pj_last_error();
                results.push_back(c);
            }
            pj_cpu_set_threads(threads);
            ASSERT_EQ(results[0], results[1]) << s.m << "x" << s.n << "x" << s.k << " layouts " << la << lb << lc;
            ASSERT_EQ(results[0], results[2]) << s.m << "x" << s.n << "x" << s.k << " layouts " << la << lb << lc;
            std::vector<double> want(s.m * s.n);
            naive(a.data() + oa, sa[0], sa[1], b.data() + ob, sb[0], sb[1], want.data(), s.m, s.n, s.k);
            for (int64_t i = 0; i < s.m; i++)
                for (int64_t j = 0; j < s.n; j++)
                    ASSERT_NEAR(results[0][oc + i * sc[0] + j * sc[1]], want[i * s.n + j], 1e-5 * s.k)
                        << s.m << "x" << s.n << "x" << s.k << " layouts " << la << lb << lc;
        }
    }
}

TEST(Matmul, OverflowingFloatTermsAreRecomputedInDouble) {
    // 3e38 * 2 overflows float, but the sum 3e38*2 - 3e38*2 + 1 is 1 in double, as the reference gets.
    pj_cpu_load_blas(nullptr);
    const int64_t m = 64, n = 64, k = 3;
    std::vector<float> a(m * k), b(k * n), c(m * n);
    for (int64_t i = 0; i < m; i++) a[i * k] = 3e38f, a[i * k + 1] = -3e38f, a[i * k + 2] = 1.0f;
    for (int64_t j = 0; j < n; j++) b[j] = 2.0f, b[n + j] = 2.0f, b[2 * n + j] = 1.0f;
    pj_tensor ta = view(a, PJ_FLOAT32, {m, k}), tb = view(b, PJ_FLOAT32, {k, n}), tc = view(c, PJ_FLOAT32, {m, n});
    ASSERT_EQ(pj_cpu_matmul(&ta, &tb, &tc), PJ_OK) << pj_last_error();
    for (float v : c) ASSERT_EQ(v, 1.0f);
}
