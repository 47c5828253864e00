package org.pyj4.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.NDArray;

class ArrowTensorsTest {
    private BufferAllocator allocator;
    private long pyj4Bytes;

    @BeforeEach void open() {
        allocator = new RootAllocator();
        pyj4Bytes = MemoryStats.allocatedBytes();
    }

    /** Both accountings back where they started: nothing leaked on either side. */
    @AfterEach void accountingBackToBaseline() {
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow bytes still allocated");
        allocator.close();
        assertEquals(pyj4Bytes, MemoryStats.allocatedBytes(), "pyj4 bytes still allocated");
    }

    private Float4Vector floats(float... values) {
        Float4Vector v = new Float4Vector("x", allocator);
        v.allocateNew(values.length);
        for (int i = 0; i < values.length; i++) v.set(i, values[i]);
        v.setValueCount(values.length);
        return v;
    }

    @Test void vectorToNDArraySharesMemoryAndOutlivesTheVector() {
        NDArray a;
        long address;
        try (Float4Vector v = floats(1, 2, 3)) {
            a = ArrowTensors.toNDArray(v);
            address = v.getDataBuffer().memoryAddress();
            assertEquals(address, a.bufferAddress() + a.offset() * 4, "not the same memory");
            v.set(1, 20f); // a write through Arrow is visible in the NDArray
        }
        try (a) {
            assertArrayEquals(new long[] {3}, a.shape());
            assertArrayEquals(new float[] {1, 20, 3}, a.toFloatArray());
            assertFalse(a.isWritable(), "Arrow data must be read-only");
            assertTrue(allocator.getAllocatedMemory() > 0, "the buffer must stay alive while the NDArray holds it");
        }
    }

    @Test void everyNumericTypeMapsToItsDType() {
        try (TinyIntVector i8 = new TinyIntVector("a", allocator); SmallIntVector i16 = new SmallIntVector("b", allocator);
             IntVector i32 = new IntVector("c", allocator); BigIntVector i64 = new BigIntVector("d", allocator);
             UInt1Vector u8 = new UInt1Vector("e", allocator); Float2Vector f16 = new Float2Vector("f", allocator);
             Float8Vector f64 = new Float8Vector("g", allocator)) {
            i8.setSafe(0, -5); i16.setSafe(0, -300); i32.setSafe(0, 70000); i64.setSafe(0, 1L << 40);
            u8.setSafe(0, 250); f16.setSafeWithPossibleTruncate(0, 1.5f); f64.setSafe(0, 2.25);
            FieldVector[] all = {i8, i16, i32, i64, u8, f16, f64};
            DType[] expected = {DType.INT8, DType.INT16, DType.INT32, DType.INT64, DType.UINT8, DType.FLOAT16, DType.FLOAT64};
            double[] values = {-5, -300, 70000, 1L << 40, 250, 1.5, 2.25};
            for (int i = 0; i < all.length; i++) {
                all[i].setValueCount(1);
                try (NDArray a = ArrowTensors.toNDArray(all[i])) {
                    assertEquals(expected[i], a.dtype());
                    assertEquals(values[i], a.toDoubleArray()[0], 0.0, expected[i].toString());
                }
            }
        }
    }

    @Test void unsetValidityIsRefusedNotMisread() {
        // allocateNew leaves every value null until set: writing only the data buffer is a classic trap.
        try (Float4Vector v = new Float4Vector("x", allocator)) {
            v.allocateNew(4);
            v.getDataBuffer().setFloat(0, 1f);
            v.setValueCount(4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrowTensors.toNDArray(v));
            assertTrue(e.getMessage().contains("'x' has 4 null(s)"), e.getMessage());
        }
    }

    @Test void boolBitsAreConverted() {
        try (BitVector v = new BitVector("b", allocator)) {
            v.allocateNew(3);
            v.set(0, 1); v.set(1, 0); v.set(2, 1);
            v.setValueCount(3);
            try (NDArray a = ArrowTensors.toNDArray(v)) {
                assertEquals(DType.BOOL, a.dtype());
                assertArrayEquals(new boolean[] {true, false, true}, a.toBooleanArray());
            }
        }
    }

    @Test void unsupportedTypesNameTheType() {
        try (VarCharVector s = new VarCharVector("s", allocator); UInt4Vector u = new UInt4Vector("u", allocator)) {
            s.setValueCount(0);
            u.setValueCount(0);
            assertTrue(assertThrows(DTypeException.class, () -> ArrowTensors.toNDArray(s)).getMessage().contains("Utf8"));
            assertTrue(assertThrows(DTypeException.class, () -> ArrowTensors.toNDArray(u)).getMessage().contains("Int(32, false)"));
        }
    }

    @Test void ndarrayToVectorSharesMemoryAndOutlivesTheArray() {
        FieldVector v;
        try (NDArray a = NDArray.create(new float[] {1, 2, 3, 4})) {
            v = ArrowTensors.toVector(a, "x", allocator);
            assertEquals(a.bufferAddress(), v.getDataBuffer().memoryAddress(), "not the same memory");
            try (NDArray nine = NDArray.scalarOf(9.0, DType.FLOAT32)) {
                a.set(new Index[] {Index.at(0)}, nine);
            }
        }
        try (Float4Vector f = (Float4Vector) v) {
            assertEquals(4, f.getValueCount());
            assertEquals(0, f.getNullCount());
            assertEquals(9f, f.get(0)); // the write through the NDArray is visible in Arrow
            assertEquals(4f, f.get(3));
        }
    }

    @Test void tensorRoundTripCarriesTheExtensionMetadata() {
        try (NDArray flat = NDArray.arange(0, 24, 1, DType.INT32); NDArray a = flat.reshape(2, 3, 4);
             FieldVector v = ArrowTensors.toVector(a, "t", allocator)) {
            assertTrue(v instanceof FixedSizeListVector);
            assertEquals(2, v.getValueCount());
            assertEquals(12, ((FixedSizeListVector) v).getListSize());
            Map<String, String> meta = v.getField().getMetadata();
            assertEquals("arrow.fixed_shape_tensor", meta.get("ARROW:extension:name"));
            assertEquals("{\"shape\":[3,4]}", meta.get("ARROW:extension:metadata"));
            assertEquals(a.bufferAddress(), ((FixedSizeListVector) v).getDataVector().getDataBuffer().memoryAddress());
            try (NDArray back = ArrowTensors.toNDArray(v)) {
                assertArrayEquals(new long[] {2, 3, 4}, back.shape());
                assertArrayEquals(a.toIntArray(), back.toIntArray());
            }
        }
    }

    @Test void everyDTypeAndRankRoundTrips() {
        DType[] dtypes = {DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.INT8, DType.INT16, DType.INT32, DType.INT64, DType.UINT8, DType.BOOL};
        long[][] shapes = {{5}, {2, 3}, {2, 1, 3}, {1, 2, 2, 2}, {0, 3}};
        for (DType dt : dtypes) {
            for (long[] shape : shapes) {
                try (NDArray r = NDArray.arange(0, ArrowShapes.size(shape), 1, DType.INT64); NDArray two = NDArray.scalar(2L); NDArray m = r.mod(two);
                     NDArray src = (dt == DType.BOOL ? m : r).astype(dt); NDArray a = src.reshape(shape);
                     FieldVector v = ArrowTensors.toVector(a, "c", allocator); NDArray back = ArrowTensors.toNDArray(v)) {
                    assertArrayEquals(shape, back.shape(), dt + " " + java.util.Arrays.toString(shape));
                    assertEquals(dt, back.dtype());
                    assertArrayEquals(a.toDoubleArray(), back.toDoubleArray(), 0.0);
                }
            }
        }
    }

    @Test void permutedTensorIsATransposedView() {
        // Physical element shape [2, 3]; logical dimension 0 is physical dimension 1: elements read as [3, 2].
        Field child = new Field("item", FieldType.notNullable(new ArrowType.Int(32, true)), null);
        Map<String, String> meta = Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                "ARROW:extension:metadata", "{\"shape\":[2,3],\"permutation\":[1,0]}");
        Field field = new Field("t", new FieldType(false, new ArrowType.FixedSizeList(6), null, meta), List.of(child));
        try (FixedSizeListVector v = (FixedSizeListVector) field.createVector(allocator)) {
            v.allocateNew();
            IntVector values = (IntVector) v.getDataVector();
            for (int i = 0; i < 6; i++) values.setSafe(i, i);
            values.setValueCount(6);
            v.setNotNull(0);
            v.setValueCount(1);
            try (NDArray a = ArrowTensors.toNDArray(v)) {
                assertArrayEquals(new long[] {1, 3, 2}, a.shape());
                assertArrayEquals(new int[] {0, 3, 1, 4, 2, 5}, a.toIntArray());
            }
        }
    }

    @Test void inconsistentTensorMetadataIsRefused() {
        Field child = new Field("item", FieldType.notNullable(new ArrowType.Int(32, true)), null);
        Map<String, String> meta = Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor", "ARROW:extension:metadata", "{\"shape\":[2,2]}");
        Field field = new Field("t", new FieldType(false, new ArrowType.FixedSizeList(6), null, meta), List.of(child));
        try (FixedSizeListVector v = (FixedSizeListVector) field.createVector(allocator)) {
            v.setValueCount(0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrowTensors.toNDArray(v));
            assertTrue(e.getMessage().contains("holds 4 values, but the list size is 6"), e.getMessage());
        }
    }

    @Test void zeroDimensionalArraysAreRefused() {
        try (NDArray s = NDArray.scalarOf(1.0, DType.FLOAT32)) {
            assertThrows(IllegalArgumentException.class, () -> ArrowTensors.toVector(s, "s", allocator));
        }
    }

    @Test void nonContiguousArraysAreCopiedFirst() {
        try (NDArray flat = NDArray.arange(0, 6, 1, DType.FLOAT32); NDArray a = flat.reshape(2, 3); NDArray t = a.transpose(1, 0);
             FieldVector v = ArrowTensors.toVector(t, "t", allocator); NDArray back = ArrowTensors.toNDArray(v)) {
            assertArrayEquals(new long[] {3, 2}, back.shape());
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, back.toFloatArray());
        }
    }

    @Test void tensorMetadataSurvivesTheCDataInterface() {
        try (NDArray flat = NDArray.arange(0, 12, 1, DType.FLOAT32); NDArray a = flat.reshape(2, 2, 3);
             FieldVector v = ArrowTensors.toVector(a, "t", allocator);
             ArrowArray cArray = ArrowArray.allocateNew(allocator); ArrowSchema cSchema = ArrowSchema.allocateNew(allocator)) {
            Data.exportVector(allocator, v, null, cArray, cSchema);
            try (FieldVector imported = Data.importVector(allocator, cArray, cSchema, null); NDArray back = ArrowTensors.toNDArray(imported)) {
                assertTrue(FixedShapeTensor.isTensor(imported.getField()));
                assertArrayEquals(new long[] {2, 2, 3}, back.shape());
                assertEquals(a.bufferAddress(), back.bufferAddress(), "the C Data Interface must not copy");
                assertArrayEquals(a.toFloatArray(), back.toFloatArray());
            }
        }
    }
}
