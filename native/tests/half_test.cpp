// float16 / bfloat16 conversions: round trips, rounding to nearest even, specials, and agreement
// with the F16C instructions where the CPU has them.
#include <immintrin.h>

#include <random>

#include "../common/half.h"
#include "test_util.h"

namespace {

__attribute__((target("f16c"))) uint16_t hw_f32_to_f16(float f) { return (uint16_t)_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

double f16_value(uint16_t h) { return (double)pj_f16_to_f32(h); }

}  // namespace

TEST(Half, EveryFloat16RoundTripsThroughFloat32AndFloat64) {
    for (uint32_t h = 0; h < 65536; h++) {
        float f = pj_f16_to_f32((uint16_t)h);
        if (isnan(f)) {
            EXPECT_TRUE(isnan(pj_f16_to_f32(pj_f32_to_f16(f)))) << h;
            continue;
        }
        EXPECT_EQ(pj_f32_to_f16(f), h) << h;
        EXPECT_EQ(pj_f64_to_f16((double)f), h) << h;
    }
}

TEST(Half, Float32ToFloat16MatchesF16C) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C";
    std::mt19937 rng(42);
    for (int i = 0; i < 2000000; i++) {
        uint32_t bits = rng();
        float f;
        memcpy(&f, &bits, 4);
        if (isnan(f)) continue;
        ASSERT_EQ(pj_f32_to_f16(f), hw_f32_to_f16(f)) << f;
    }
    for (float f : {65504.0f, 65519.99f, 65520.0f, 6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.98023259e-08f, -0.0f})
        EXPECT_EQ(pj_f32_to_f16(f), hw_f32_to_f16(f)) << f;
}

TEST(Half, Float64ToFloat16RoundsOnceToNearestEven) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> mag(-30, 17);
    for (int i = 0; i < 200000; i++) {
        double d = std::ldexp(1.0 + (double)(rng() >> 11) * 0x1.0p-53, (int)mag(rng)) * ((rng() & 1) ? -1 : 1);
        uint16_t h = pj_f64_to_f16(d);
        double got = f16_value(h);
        if (isinf(got)) {
            ASSERT_GE(fabs(d), 65520.0) << d;
            continue;
        }
        // No float16 is closer: check both neighbours of the result.
        for (int step : {-1, 1}) {
            uint16_t n = (uint16_t)(h + step);
            if ((n & 0x7c00) == 0x7c00 || ((h & 0x7fff) == 0 && step < 0)) continue;
            double other = f16_value(n);
            double dg = fabs(got - d), dn = fabs(other - d);
            ASSERT_TRUE(dg < dn || (dg == dn && (h & 1) == 0)) << d << " gave " << got << " not " << other;
        }
    }
}

TEST(Half, Bfloat16RoundsToNearestEvenAndKeepsSpecials) {
    EXPECT_EQ(pj_f32_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(pj_f32_to_bf16(pj_bits_to_f32(0x3f808000)), 0x3f80);  // tie, even stays
    EXPECT_EQ(pj_f32_to_bf16(pj_bits_to_f32(0x3f818000)), 0x3f82);  // tie, odd rounds up
    EXPECT_EQ(pj_f32_to_bf16(pj_bits_to_f32(0x3f808001)), 0x3f81);
    EXPECT_EQ(pj_f32_to_bf16(INFINITY), 0x7f80);
    EXPECT_EQ(pj_f32_to_bf16(pj_bits_to_f32(0x7f7fffff)), 0x7f80);  // FLT_MAX rounds to inf
    EXPECT_TRUE(isnan(pj_bf16_to_f32(pj_f32_to_bf16(NAN))));
    EXPECT_TRUE(isnan(pj_bf16_to_f32(pj_f32_to_bf16(pj_bits_to_f32(0x7f800001)))));  // payload in low bits only
    for (uint32_t h = 0; h < 65536; h++) {
        float f = pj_bf16_to_f32((uint16_t)h);
        if (!isnan(f)) {
            ASSERT_EQ(pj_f32_to_bf16(f), h);
            ASSERT_EQ(pj_f64_to_bf16(f), h);
        }
    }
}

TEST(Half, SubnormalsAndUnderflow) {
    EXPECT_EQ(pj_f64_to_f16(5.960464477539063e-08), 1);      // smallest subnormal
    EXPECT_EQ(pj_f64_to_f16(2.9802322387695312e-08), 0);     // exactly half of it: ties to even (0)
    EXPECT_EQ(pj_f64_to_f16(2.9802322387695313e-08 * 1.0000001), 1);
    EXPECT_EQ(pj_f64_to_f16(-1e-30), 0x8000);
    EXPECT_EQ(pj_f64_to_f16(1e300), 0x7c00);
}
