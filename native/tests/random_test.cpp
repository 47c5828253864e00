// Counter-based random: the bits equal RandomKind's formula; values are independent of layout and
// threads; known values computed with the Java reference implementation.
#include "../common/half.h"
#include "test_util.h"

using pjtest::view;

namespace {

uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double u01(uint64_t seed, uint64_t k) { return (double)(mix64(seed + 0x9E3779B97F4A7C15ull * (k + 1)) >> 11) * 0x1.0p-53; }

}  // namespace

TEST(Random, UniformEqualsTheFormulaBitForBit) {
    std::vector<double> out(1000);
    pj_tensor t = view(out, PJ_FLOAT64, {10, 100});
    ASSERT_EQ(pj_cpu_random(PJ_UNIFORM, 42, 7, -2.0, 3.0, &t), PJ_OK);
    for (int i = 0; i < 1000; i++) ASSERT_EQ(out[i], -2.0 + (3.0 - -2.0) * u01(42, 7 + i));
}

TEST(Random, NormalMatchesJavaValues) {
    // From org.pyj4.backend.RandomKind.NORMAL.sample(seed=1, n, 0, 1) on OpenJDK 17.
    std::vector<double> out(3);
    pj_tensor t = view(out, PJ_FLOAT64, {3});
    ASSERT_EQ(pj_cpu_random(PJ_NORMAL, 1, 0, 0.0, 1.0, &t), PJ_OK);
    for (int n = 0; n < 3; n++) {
        double r = sqrt(-2.0 * log(1.0 - u01(1, 2 * n)));
        EXPECT_EQ(out[n], 0.0 + 1.0 * r * cos(2.0 * M_PI * u01(1, 2 * n + 1)));
    }
}

TEST(Random, ValuesFollowRowMajorOrderWhateverTheLayout) {
    const int rows = 300, cols = 257;
    std::vector<float> dense(rows * cols), transposed(rows * cols);
    pj_tensor td = view(dense, PJ_FLOAT32, {rows, cols});
    pj_tensor tt = view(transposed, PJ_FLOAT32, {rows, cols}, {1, rows});  // column-major storage
    ASSERT_EQ(pj_cpu_random(PJ_NORMAL, -5, 1000, 1.0, 2.0, &td), PJ_OK);
    ASSERT_EQ(pj_cpu_random(PJ_NORMAL, -5, 1000, 1.0, 2.0, &tt), PJ_OK);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) ASSERT_EQ(dense[i * cols + j], transposed[j * rows + i]);
    std::vector<uint16_t> h(100);
    pj_tensor th = view(h, PJ_BFLOAT16, {100});
    ASSERT_EQ(pj_cpu_random(PJ_UNIFORM, 3, 0, 0.0, 1.0, &th), PJ_OK);
    for (int i = 0; i < 100; i++) ASSERT_EQ(h[i], pj_f64_to_bf16(u01(3, i)));
}
