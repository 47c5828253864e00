// The layer primitives' C ABI (pyj4_cpu_layers.h): small known answers, and every malformed call
// failing with the right status before it touches memory. Semantics against the Java reference are
// the conformance suite's job (java/testing).
#include <random>

#include "pyj4_cpu_layers.h"
#include "test_util.h"

using pjtest::view;

namespace {
const pj_window k2s1 = {2, 2, 1, 1, 1, 1, 0, 0};
}

TEST(Layers, Im2colAndCol2imAreAdjoint) {
    // x [1, 3, 3, 1] = 0..8; 2x2 windows, stride 1: cols [1, 2, 2, 2, 2, 1].
    std::vector<float> x(9), cols(16, -1.0f), back(9, 0.0f);
    for (int i = 0; i < 9; i++) x[i] = (float)i;
    pj_tensor xt = view(x, PJ_FLOAT32, {1, 3, 3, 1}), ct = view(cols, PJ_FLOAT32, {1, 2, 2, 2, 2, 1});
    ASSERT_EQ(pj_cpu_im2col(&xt, &k2s1, &ct), PJ_OK) << pj_last_error();
    const float want[16] = {0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8};
    for (int i = 0; i < 16; i++) EXPECT_EQ(cols[i], want[i]) << i;
    pj_tensor bt = view(back, PJ_FLOAT32, {1, 3, 3, 1});
    ASSERT_EQ(pj_cpu_col2im(&ct, &k2s1, &bt), PJ_OK) << pj_last_error();
    const float counts[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};  // how many windows read each position
    for (int i = 0; i < 9; i++) EXPECT_EQ(back[i], counts[i] * i) << i;
}

TEST(Layers, PoolingKnowsItsWindowsAndArgmax) {
    std::vector<float> x = {1, 5, 2, 7, 3, 3, 9, 0, 4};  // [1, 3, 3, 1]
    std::vector<float> out(4);
    std::vector<int64_t> arg(4);
    pj_tensor xt = view(x, PJ_FLOAT32, {1, 3, 3, 1}), ot = view(out, PJ_FLOAT32, {1, 2, 2, 1}), at = view(arg, PJ_INT64, {1, 2, 2, 1});
    ASSERT_EQ(pj_cpu_pool(PJ_POOL_MAX, &xt, &k2s1, &ot, &at), PJ_OK) << pj_last_error();
    EXPECT_EQ(out, (std::vector<float>{7, 5, 9, 4}));
    EXPECT_EQ(arg, (std::vector<int64_t>{3, 1, 6, 8}));
    const pj_window same = {2, 2, 2, 2, 1, 1, 0, 0};  // [1, 2, 2, 1] out, the last row/column windows half outside
    ASSERT_EQ(pj_cpu_pool(PJ_POOL_AVG, &xt, &same, &ot, nullptr), PJ_OK) << pj_last_error();
    EXPECT_EQ(out, (std::vector<float>{4, 2.5f, 4.5f, 4}));
}

TEST(Layers, ScatterAddAddsRepeatedIndices) {
    std::vector<double> dst(4, 1.0), values = {1, 2, 3, 4, 5};
    std::vector<int64_t> index = {0, 3, 0, 3, 3};
    pj_tensor d = view(dst, PJ_FLOAT64, {4}), i = view(index, PJ_INT64, {5}), v = view(values, PJ_FLOAT64, {5});
    ASSERT_EQ(pj_cpu_scatter_add(&d, &i, &v), PJ_OK) << pj_last_error();
    EXPECT_EQ(dst, (std::vector<double>{5, 1, 1, 12}));
    index[4] = 4;
    dst.assign(4, 1.0);
    EXPECT_EQ(pj_cpu_scatter_add(&d, &i, &v), PJ_ERR_INDEX);
    EXPECT_EQ(dst, (std::vector<double>(4, 1.0))) << "nothing is written when an index is bad";
}

TEST(Layers, LstmStepFromZeroState) {
    // One unit, zero pre-activations: i = f = o = 0.5, g = 0, so c = 0.5 * cPrev and h = 0.5 * tanh(c).
    std::vector<float> xp(4, 0.0f), hp(4, 0.0f), cp = {2.0f}, gates(4), c(1), h(1);
    pj_tensor t[6] = {view(xp, PJ_FLOAT32, {1, 4}), view(hp, PJ_FLOAT32, {1, 4}), view(cp, PJ_FLOAT32, {1, 1}),
                      view(gates, PJ_FLOAT32, {1, 4}), view(c, PJ_FLOAT32, {1, 1}), view(h, PJ_FLOAT32, {1, 1})};
    const pj_tensor* ops[6] = {&t[0], &t[1], &t[2], &t[3], &t[4], &t[5]};
    ASSERT_EQ(pj_cpu_rnn_cell(PJ_LSTM_FORWARD, ops, 6), PJ_OK) << pj_last_error();
    EXPECT_FLOAT_EQ(c[0], 1.0f);
    EXPECT_NEAR(h[0], 0.5f * tanhf(1.0f), 1e-6f);
    EXPECT_EQ(pj_cpu_rnn_cell(PJ_LSTM_FORWARD, ops, 5), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_rnn_cell(7, ops, 6), PJ_ERR_ARGUMENT);
    const pj_tensor* overlapping[6] = {&t[0], &t[1], &t[2], &t[0], &t[4], &t[5]};  // gates written over xproj
    EXPECT_EQ(pj_cpu_rnn_cell(PJ_LSTM_FORWARD, overlapping, 6), PJ_ERR_ARGUMENT);
    EXPECT_NE(std::string(pj_last_error()).find("overlaps"), std::string::npos) << pj_last_error();
}

TEST(Layers, MalformedCallsFailBeforeTouchingMemory) {
    std::vector<float> x(9, 1.0f), cols(16, -1.0f), out(4, -1.0f);
    std::vector<int32_t> ints(9);
    pj_tensor xt = view(x, PJ_FLOAT32, {1, 3, 3, 1}), ct = view(cols, PJ_FLOAT32, {1, 2, 2, 2, 2, 1});
    pj_window bad = k2s1;
    bad.stride_h = 0;
    EXPECT_EQ(pj_cpu_im2col(&xt, &bad, &ct), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_im2col(&xt, nullptr, &ct), PJ_ERR_ARGUMENT);
    pj_tensor wrongKernel = view(cols, PJ_FLOAT32, {1, 2, 2, 1, 4, 1});
    EXPECT_EQ(pj_cpu_im2col(&xt, &k2s1, &wrongKernel), PJ_ERR_SHAPE);
    pj_tensor it = view(ints, PJ_INT32, {1, 3, 3, 1});
    EXPECT_EQ(pj_cpu_im2col(&it, &k2s1, &ct), PJ_ERR_DTYPE);
    pj_tensor tooFar = view(cols, PJ_FLOAT32, {1, 2, 2, 2, 2, 1}, {}, 1);  // one element past the buffer
    EXPECT_EQ(pj_cpu_im2col(&xt, &k2s1, &tooFar), PJ_ERR_ARGUMENT);
    pj_tensor overX = view(x, PJ_FLOAT32, {1, 1, 1, 2, 2, 1});  // cols written over x
    EXPECT_EQ(pj_cpu_im2col(&xt, &k2s1, &overX), PJ_ERR_ARGUMENT);
    for (float v : cols) EXPECT_EQ(v, -1.0f);
    pj_tensor ot = view(out, PJ_FLOAT32, {1, 2, 2, 1});
    const pj_window padded = {2, 2, 1, 1, 1, 1, 2, 0};  // the first output row reads only padding
    EXPECT_EQ(pj_cpu_pool(PJ_POOL_MAX, &xt, &padded, &ot, nullptr), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_pool(5, &xt, &k2s1, &ot, nullptr), PJ_ERR_ARGUMENT);
    for (float v : out) EXPECT_EQ(v, -1.0f);
}

TEST(Layers, DirectConvolutionAndItsKernelGradient) {
    // x [1, 3, 3, 1] = 0..8, kernel [2, 2, 1, 2]: filter 0 sums the window, filter 1 takes its top-left tap.
    std::vector<float> x(9), kernel = {1, 1, 1, 0, 1, 0, 1, 0}, bias = {0.5f, -1}, out(8, -7);
    for (int i = 0; i < 9; i++) x[i] = (float)i;
    pj_tensor xt = view(x, PJ_FLOAT32, {1, 3, 3, 1}), kt = view(kernel, PJ_FLOAT32, {2, 2, 1, 2}), bt = view(bias, PJ_FLOAT32, {2}),
              ot = view(out, PJ_FLOAT32, {1, 2, 2, 2});
    const std::vector<std::string> all = pjtest::isas();
    for (const std::string& isa : all) {
        ASSERT_EQ(pj_cpu_select_isa(isa.c_str()), PJ_OK);
        ASSERT_EQ(pj_cpu_conv2d(&xt, &kt, &bt, &k2s1, &ot), PJ_OK) << pj_last_error();
        EXPECT_EQ(out, (std::vector<float>{8.5f, -1, 12.5f, 0, 20.5f, 2, 24.5f, 3})) << isa;
        // dy = 1 everywhere: dkernel[kh, kw, 0, f] = the sum of the taps (kh, kw) reads, dbias = 4.
        std::vector<float> dy(8, 1.0f), dk(8, -7), db(2, -7);
        pj_tensor dyt = view(dy, PJ_FLOAT32, {1, 2, 2, 2}), dkt = view(dk, PJ_FLOAT32, {2, 2, 1, 2}), dbt = view(db, PJ_FLOAT32, {2});
        ASSERT_EQ(pj_cpu_conv2d_kernel_grad(&xt, &dyt, &k2s1, &dkt, &dbt), PJ_OK) << pj_last_error();
        EXPECT_EQ(dk, (std::vector<float>{8, 8, 12, 12, 20, 20, 24, 24})) << isa;
        EXPECT_EQ(db, (std::vector<float>{4, 4})) << isa;
    }
    pj_cpu_select_isa(all.back().c_str());
    // Malformed calls fail before writing.
    out.assign(8, -7);
    pj_tensor wrongKernel = view(kernel, PJ_FLOAT32, {1, 4, 1, 2});
    EXPECT_EQ(pj_cpu_conv2d(&xt, &wrongKernel, &bt, &k2s1, &ot), PJ_ERR_SHAPE);
    pj_tensor wrongBias = view(bias, PJ_FLOAT32, {1});
    EXPECT_EQ(pj_cpu_conv2d(&xt, &kt, &wrongBias, &k2s1, &ot), PJ_ERR_SHAPE);
    pj_tensor overX = view(x, PJ_FLOAT32, {1, 2, 2, 2});  // out written over x
    EXPECT_EQ(pj_cpu_conv2d(&xt, &kt, &bt, &k2s1, &overX), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_conv2d(&xt, &kt, &bt, nullptr, &ot), PJ_ERR_ARGUMENT);
    for (float v : out) EXPECT_EQ(v, -7.0f);
    pj_tensor overDy = view(out, PJ_FLOAT32, {2, 2, 1, 2});  // dkernel written over dy
    EXPECT_EQ(pj_cpu_conv2d_kernel_grad(&xt, &ot, &k2s1, &overDy, nullptr), PJ_ERR_ARGUMENT);
}

// The fused LSTM sequence against its definition: per step, pj_cpu_matmul (h_prev @ u, dz_next @ u^T)
// and pj_cpu_rnn_cell, on every instruction set. H = 70 makes a ragged unit block and (4H = 280)
// a product deeper than one packed strip; B = 70 makes two row blocks.
TEST(Layers, LstmSequenceMatchesItsPerStepDefinition) {
    const int64_t T = 3, B = 70, H = 70, G = 4 * H;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::vector<float> xp(T * B * G), u(H * G), dh(T * B * H), dcl(B * H);
    for (float& v : xp) v = 2 * unit(rng);
    for (float& v : u) v = unit(rng) / 8;
    for (float& v : dh) v = unit(rng);
    for (float& v : dcl) v = unit(rng);
    pj_tensor xpt = view(xp, PJ_FLOAT32, {T, B, G}), ut = view(u, PJ_FLOAT32, {H, G}), dht = view(dh, PJ_FLOAT32, {T, B, H}),
              dclt = view(dcl, PJ_FLOAT32, {B, H});
    std::vector<float> ut_data(G * H);  // u^T, dense, for the reference's products
    for (int64_t j = 0; j < H; j++)
        for (int64_t p = 0; p < G; p++) ut_data[p * H + j] = u[j * G + p];
    pj_tensor utt = view(ut_data, PJ_FLOAT32, {G, H});
    for (const std::string& isa : pjtest::isas()) {
        ASSERT_EQ(pj_cpu_select_isa(isa.c_str()), PJ_OK);
        std::vector<float> gates(T * B * G), c(T * B * H), h(T * B * H), dz(T * B * G);
        pj_tensor gt = view(gates, PJ_FLOAT32, {T, B, G}), ct = view(c, PJ_FLOAT32, {T, B, H}), ht = view(h, PJ_FLOAT32, {T, B, H}),
                  dzt = view(dz, PJ_FLOAT32, {T, B, G});
        ASSERT_EQ(pj_cpu_lstm_sequence(&xpt, &ut, &gt, &ct, &ht), PJ_OK) << pj_last_error();
        ASSERT_EQ(pj_cpu_lstm_sequence_grad(&gt, &ct, &ut, &dht, &dclt, &dzt), PJ_OK) << pj_last_error();

        // Reference forward, step by step.
        std::vector<float> rg(T * B * G), rc(T * B * H), rh(T * B * H), hproj(B * G, 0.0f), zero(B * G, 0.0f);
        auto step = [&](std::vector<float>& a, int64_t i, int64_t w) { return view(a, PJ_FLOAT32, {B, w}, {}, i * B * w); };
        pj_tensor hp = view(hproj, PJ_FLOAT32, {B, G}), z4 = view(zero, PJ_FLOAT32, {B, G}), z1 = view(zero, PJ_FLOAT32, {B, H});
        for (int64_t i = 0; i < T; i++) {
            pj_tensor hprev = step(rh, i - 1 < 0 ? 0 : i - 1, H);
            if (i > 0) ASSERT_EQ(pj_cpu_matmul(&hprev, &ut, &hp), PJ_OK) << pj_last_error();
            pj_tensor ops[6] = {step(xp, i, G), i > 0 ? hp : z4, i > 0 ? step(rc, i - 1, H) : z1, step(rg, i, G), step(rc, i, H), step(rh, i, H)};
            const pj_tensor* p[6] = {&ops[0], &ops[1], &ops[2], &ops[3], &ops[4], &ops[5]};
            ASSERT_EQ(pj_cpu_rnn_cell(PJ_LSTM_FORWARD, p, 6), PJ_OK) << pj_last_error();
        }
        for (size_t k = 0; k < h.size(); k++) ASSERT_NEAR(h[k], rh[k], 1e-5) << isa << " h " << k;
        for (size_t k = 0; k < c.size(); k++) ASSERT_NEAR(c[k], rc[k], 1e-5) << isa << " c " << k;

        // Reference backward.
        std::vector<float> rdz(T * B * G), rec(B * H), dc0(B * H), dc1(B * H);
        pj_tensor rect = view(rec, PJ_FLOAT32, {B, H}), dcs[2] = {view(dc0, PJ_FLOAT32, {B, H}), view(dc1, PJ_FLOAT32, {B, H})};
        for (int64_t i = T - 1; i >= 0; i--) {
            const int out = (int)((T - 1 - i) % 2);
            pj_tensor ops[8] = {step(gates, i, G), i > 0 ? step(c, i - 1, H) : z1, step(c, i, H), step(dh, i, H),
                                i < T - 1 ? rect : z1, i < T - 1 ? dcs[1 - out] : dclt, step(rdz, i, G), dcs[out]};
            const pj_tensor* p[8] = {&ops[0], &ops[1], &ops[2], &ops[3], &ops[4], &ops[5], &ops[6], &ops[7]};
            ASSERT_EQ(pj_cpu_rnn_cell(PJ_LSTM_BACKWARD, p, 8), PJ_OK) << pj_last_error();
            pj_tensor dzi = step(rdz, i, G);
            if (i > 0) ASSERT_EQ(pj_cpu_matmul(&dzi, &utt, &rect), PJ_OK) << pj_last_error();
        }
        for (size_t k = 0; k < dz.size(); k++) ASSERT_NEAR(dz[k], rdz[k], 1e-5) << isa << " dz " << k;
    }
}

TEST(Layers, LstmSequenceRefusesWhatItCannotTake) {
    std::vector<float> a(64), b(64);
    pj_tensor xp = view(a, PJ_FLOAT32, {1, 2, 8}), u = view(b, PJ_FLOAT32, {2, 8}), g = view(b, PJ_FLOAT32, {1, 2, 8}, {}, 16),
              c = view(b, PJ_FLOAT32, {1, 2, 2}, {}, 32), h = view(b, PJ_FLOAT32, {1, 2, 2}, {}, 36);
    EXPECT_EQ(pj_cpu_lstm_sequence(&xp, &u, &g, &c, &h), PJ_OK) << pj_last_error();
    pj_tensor strided = view(b, PJ_FLOAT32, {1, 2, 2}, {4, 4, 2}, 40);  // columns apart: the per-step path's job
    EXPECT_EQ(pj_cpu_lstm_sequence(&xp, &u, &g, &c, &strided), PJ_ERR_ARGUMENT);
    pj_tensor wide_u = view(b, PJ_FLOAT32, {2, 6});
    EXPECT_EQ(pj_cpu_lstm_sequence(&xp, &wide_u, &g, &c, &h), PJ_ERR_SHAPE);
    EXPECT_EQ(pj_cpu_lstm_sequence(&xp, &u, &g, &c, &c), PJ_ERR_ARGUMENT);  // h over c
    std::vector<double> d(64);
    pj_tensor xd = view(d, PJ_FLOAT64, {1, 2, 8});
    EXPECT_EQ(pj_cpu_lstm_sequence(&xd, &u, &g, &c, &h), PJ_ERR_DTYPE);
}
