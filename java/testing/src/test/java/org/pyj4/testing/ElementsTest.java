package org.pyj4.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.reference.Elements;
import org.pyj4.backend.reference.Scalars;

/** The reference's number conversions and its erf, against independent oracles. */
class ElementsTest {
    private final SplittableRandom rnd = new SplittableRandom(7);

    /** The generic rounding, instantiated as float32, must agree with Java's (float) cast everywhere. */
    @Test void narrowAgreesWithJavasFloatCast() {
        for (int i = 0; i < 200_000; i++) {
            double d = i % 2 == 0 ? Double.longBitsToDouble(rnd.nextLong())
                    : Math.scalb(rnd.nextDouble(-2, 2), rnd.nextInt(-160, 140));  // many subnormal and overflowing floats
            if (Double.isNaN(d)) continue;
            assertEquals(Float.floatToRawIntBits((float) d), Elements.narrow(d, 23, 8), "narrow(" + d + ")");
        }
        // Ties at float precision, built exactly: halfway between two floats rounds to the even one.
        for (int i = 0; i < 10_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt(0x7F000000));
            double mid = ((double) f + (double) Math.nextUp(f)) / 2;
            assertEquals(Float.floatToRawIntBits((float) mid), Elements.narrow(mid, 23, 8));
        }
    }

    @Test void widenAgreesWithJavasFloatToDouble() {
        for (int i = 0; i < 200_000; i++) {
            int bits = rnd.nextInt();
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) continue;
            assertEquals(Double.doubleToRawLongBits(f), Double.doubleToRawLongBits(Elements.widen(bits, 23, 8)));
        }
    }

    /** Every float16 and bfloat16 value survives widening and narrowing; every NaN stays a NaN. */
    @Test void allHalfAndBfloat16ValuesRoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            double v = Elements.halfToDouble((short) h);
            if (Double.isNaN(v)) assertTrue(Double.isNaN(Elements.halfToDouble(Elements.doubleToHalf(v))));
            else assertEquals(h, Elements.doubleToHalf(v) & 0xFFFF, "float16 0x" + Integer.toHexString(h));
            double b = Elements.bfloat16ToDouble((short) h);
            assertEquals(Double.doubleToRawLongBits(b), Double.doubleToRawLongBits(Elements.widen(h, 7, 8)), "bfloat16 widen");
            if (Double.isNaN(b)) assertTrue(Double.isNaN(Elements.bfloat16ToDouble(Elements.doubleToBfloat16(b))));
            else assertEquals(h, Elements.doubleToBfloat16(b) & 0xFFFF, "bfloat16 0x" + Integer.toHexString(h));
        }
    }

    /** Rounding to float16 picks the nearest value (ties to even), checked against neighbours. */
    @Test void doubleToHalfIsNearest() {
        for (int i = 0; i < 100_000; i++) {
            double d = Math.scalb(rnd.nextDouble(-2, 2), rnd.nextInt(-27, 17));
            int h = Elements.doubleToHalf(d) & 0xFFFF;
            double got = Elements.halfToDouble((short) h);
            if (Double.isInfinite(got)) {
                assertTrue(Math.abs(d) >= 65520, "rounded " + d + " to infinity");
                continue;
            }
            // Neighbours of the same sign, one step smaller and one larger in magnitude.
            double err = Math.abs(got - d);
            int sign = h & 0x8000, mag = h & 0x7FFF;
            for (int m : new int[] {mag - 1, mag + 1}) {
                if (m < 0 || m >= 0x7C00) continue;
                double otherErr = Math.abs(Elements.halfToDouble((short) (sign | m)) - d);
                assertTrue(err < otherErr || (err == otherErr && (h & 1) == 0), d + " -> " + got + " but 0x" + Integer.toHexString(sign | m) + " is nearer");
            }
        }
    }

    @Test void longToDoubleRoundToOddRecordsDroppedBits() {
        assertEquals(0x1p60 + 0x1p8, Elements.longToDoubleRoundToOdd((1L << 60) + 1));  // sticky bit lands on the last kept bit
        assertEquals(0x1p60, Elements.longToDoubleRoundToOdd(1L << 60));
        assertEquals(-0x1p63, Elements.longToDoubleRoundToOdd(Long.MIN_VALUE));
        assertEquals(12345.0, Elements.longToDoubleRoundToOdd(12345));
    }

    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal TWO_OVER_SQRT_PI = BigDecimal.valueOf(2).divide(
            new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459").sqrt(MC), MC);

    /** erf by its Maclaurin series in 60-digit decimal arithmetic: slow, simple, exact enough. */
    private static double erfExact(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal power = bx;            // x^(2n+1) / n!, with sign
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal tiny = new BigDecimal("1e-45");
        for (int n = 0; ; n++) {
            BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
            sum = sum.add(term, MC);
            if (term.abs().compareTo(tiny.multiply(bx.abs())) < 0 && n > 2 * x * x) break;
            power = power.multiply(x2, MC).divide(BigDecimal.valueOf(-(n + 1)), MC);
        }
        return TWO_OVER_SQRT_PI.multiply(sum, MC).doubleValue();
    }

    @Test void erfIsAccurateToBetterThan1e14() {
        double worst = 0;
        for (int i = 0; i < 3000; i++) {
            double x = i % 3 == 0 ? Math.scalb(rnd.nextDouble(1, 2), rnd.nextInt(-60, 1)) * (rnd.nextBoolean() ? 1 : -1)
                    : rnd.nextDouble(-6.5, 6.5);
            double want = erfExact(x);
            double got = Scalars.erf(x);
            double rel = Math.abs(got - want) / Math.abs(want);
            worst = Math.max(worst, rel);
            assertTrue(rel < 1e-14, "erf(" + x + ") = " + got + ", expected " + want);
        }
        assertTrue(worst < 1e-14);
    }
}
