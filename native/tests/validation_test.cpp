// Every malformed call must fail with the right status and a message, before touching memory.
#include "test_util.h"

using pjtest::view;

namespace {

std::vector<float> data(64, 1.0f);
std::vector<float> out_data(64, 0.0f);

int unary(pj_tensor x, pj_tensor out) { return pj_cpu_unary(PJ_NEG, &x, &out); }

}  // namespace

TEST(Validation, GoodCallPasses) {
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}), view(out_data, PJ_FLOAT32, {8, 8})), PJ_OK) << pj_last_error();
    EXPECT_EQ(out_data[63], -1.0f);
}

TEST(Validation, DescriptorFieldsAreChecked) {
    pj_tensor out = view(out_data, PJ_FLOAT32, {8, 8});
    pj_tensor x = view(data, PJ_FLOAT32, {8, 8});
    x.dtype = 10;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    EXPECT_NE(std::string(pj_last_error()).find("dtype code"), std::string::npos) << pj_last_error();
    x.dtype = -1;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x = view(data, PJ_FLOAT32, {8, 8});
    x.rank = 17;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x.rank = -1;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x = view(data, PJ_FLOAT32, {8, -8});
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x = view(data, PJ_FLOAT32, {8, 8});
    x.data = nullptr;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x = view(data, PJ_FLOAT32, {8, 8});
    x.data = (char*)x.data + 1;  // misaligned
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x = view(data, PJ_FLOAT32, {8, 8});
    x.byte_size = -4;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_unary(PJ_NEG, nullptr, &out), PJ_ERR_ARGUMENT);
}

TEST(Validation, ReachOutsideTheBufferIsRefused) {
    pj_tensor out = view(out_data, PJ_FLOAT32, {8, 8});
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {8, 1}, 1), out), PJ_ERR_ARGUMENT);  // one past the end
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {9, 1}), out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {-8, 1}), out), PJ_ERR_ARGUMENT);    // negative stride below 0
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {-8, -1}, 63), out), PJ_OK);          // fully reversed: fine
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {0, 0}, 63), out), PJ_OK);            // broadcast scalar
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {0, 0}, 64), out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {0, 0}, -1), out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {INT64_MAX / 2, 1}), out), PJ_ERR_ARGUMENT);  // overflow
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {8, 8}, {INT64_MIN / 4, 1}), out), PJ_ERR_ARGUMENT);
    pj_tensor big = view(data, PJ_FLOAT32, {1LL << 40, 1LL << 40});
    EXPECT_EQ(unary(big, big), PJ_ERR_ARGUMENT);  // element count beyond 2^63
    pj_tensor x = view(data, PJ_FLOAT32, {8, 8});
    x.byte_size = 255;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    // Empty tensors touch nothing: any offset and stride is fine.
    std::vector<float> none;
    pj_tensor e = view(none, PJ_FLOAT32, {0, 5}, {1000, -1000}, -7);
    EXPECT_EQ(unary(e, e), PJ_OK) << pj_last_error();
}

TEST(Validation, ShapesAndDtypesFollowTheContract) {
    pj_tensor x = view(data, PJ_FLOAT32, {8, 8});
    EXPECT_EQ(unary(x, view(out_data, PJ_FLOAT32, {8, 4})), PJ_ERR_SHAPE);
    EXPECT_EQ(unary(x, view(out_data, PJ_FLOAT32, {64})), PJ_ERR_SHAPE);
    EXPECT_NE(std::string(pj_last_error()).find("float32[8, 8]"), std::string::npos) << pj_last_error();
    EXPECT_EQ(unary(x, view(out_data, PJ_FLOAT64, {4, 8})), PJ_ERR_SHAPE);
    EXPECT_EQ(unary(view(data, PJ_FLOAT32, {4, 8}), view(out_data, PJ_FLOAT64, {4, 8})), PJ_ERR_DTYPE);
    pj_tensor out = view(out_data, PJ_FLOAT32, {8, 8});
    std::vector<int32_t> ints(64);
    pj_tensor xi = view(ints, PJ_INT32, {8, 8});
    pj_tensor oi = view(ints, PJ_INT32, {8, 8});
    EXPECT_EQ(pj_cpu_unary(PJ_EXP, &xi, &oi), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_unary(PJ_INVERT, &x, &out), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_unary(99, &x, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_unary(-1, &x, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_binary(PJ_ADD, &x, &xi, &out), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_binary(PJ_DIV, &xi, &xi, &oi), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_binary(PJ_AND, &x, &x, &out), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_binary(PJ_ADD_RELU, &xi, &xi, &oi), PJ_ERR_DTYPE);  // the fused layer steps take floats only
    EXPECT_EQ(pj_cpu_binary(PJ_RELU_GRAD, &xi, &xi, &oi), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_binary(PJ_LT, &x, &x, &out), PJ_ERR_DTYPE);  // comparisons write bool
    EXPECT_EQ(pj_cpu_binary(PJ_BINARY_OP_COUNT, &x, &x, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_where(&x, &x, &x, &out), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_random(PJ_UNIFORM, 1, 0, 0, 1, &xi), PJ_ERR_DTYPE);
    EXPECT_EQ(pj_cpu_random(2, 1, 0, 0, 1, &x), PJ_ERR_ARGUMENT);
}

TEST(Validation, ReadOnlyOutputsAreRefused) {
    pj_tensor x = view(data, PJ_FLOAT32, {8, 8});
    pj_tensor out = view(out_data, PJ_FLOAT32, {8, 8});
    out.flags = PJ_TENSOR_READONLY;
    EXPECT_EQ(unary(x, out), PJ_ERR_ARGUMENT);
    x.flags = PJ_TENSOR_READONLY;  // read-only inputs are fine
    EXPECT_EQ(unary(x, view(out_data, PJ_FLOAT32, {8, 8})), PJ_OK);
}

TEST(Validation, ReduceAxesAndShapes) {
    pj_tensor x = view(data, PJ_FLOAT32, {4, 16});
    pj_tensor out = view(out_data, PJ_FLOAT32, {1, 16});
    int32_t axes0[] = {0}, axes_bad[] = {2}, axes_unsorted[] = {1, 0}, both[] = {0, 1};
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &x, axes0, 1, &out), PJ_OK) << pj_last_error();
    EXPECT_EQ(out_data[0], 4.0f);
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &x, axes_bad, 1, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &x, axes_unsorted, 2, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &x, both, 2, &out), PJ_ERR_SHAPE);
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &x, nullptr, 1, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &x, axes0, -1, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_reduce(PJ_ARGMAX, &x, axes0, 1, &out), PJ_ERR_DTYPE);  // argmax writes int64
    EXPECT_EQ(pj_cpu_reduce(PJ_ARGMAX, &x, both, 2, &out), PJ_ERR_ARGUMENT);
    EXPECT_EQ(pj_cpu_reduce(8, &x, axes0, 1, &out), PJ_ERR_ARGUMENT);
    std::vector<float> none;
    pj_tensor empty = view(none, PJ_FLOAT32, {0, 16});
    EXPECT_EQ(pj_cpu_reduce(PJ_MAX, &empty, axes0, 1, &out), PJ_ERR_SHAPE);  // no identity
    EXPECT_EQ(pj_cpu_reduce(PJ_SUM, &empty, axes0, 1, &out), PJ_OK);
    EXPECT_EQ(out_data[3], 0.0f);
}

TEST(Validation, GatherAndScatterCheckIndicesBeforeWriting) {
    std::vector<float> x(10, 5.0f), out(4, -1.0f);
    std::vector<int64_t> index = {0, 9, 10, 3};
    pj_tensor tx = view(x, PJ_FLOAT32, {10}), ti = view(index, PJ_INT64, {4}), to = view(out, PJ_FLOAT32, {4});
    EXPECT_EQ(pj_cpu_gather(&tx, &ti, &to), PJ_ERR_INDEX);
    EXPECT_NE(std::string(pj_last_error()).find("index 10 at row-major position 2"), std::string::npos) << pj_last_error();
    for (float v : out) EXPECT_EQ(v, -1.0f);  // nothing written
    index[2] = -1;
    EXPECT_EQ(pj_cpu_scatter(&tx, &ti, &to), PJ_ERR_INDEX);
    for (float v : x) EXPECT_EQ(v, 5.0f);
    index[2] = 2;
    EXPECT_EQ(pj_cpu_gather(&tx, &ti, &to), PJ_OK);
    EXPECT_EQ(out[1], 5.0f);
    std::vector<int32_t> idx32(4);
    pj_tensor bad = view(idx32, PJ_INT32, {4});
    EXPECT_EQ(pj_cpu_gather(&tx, &bad, &to), PJ_ERR_DTYPE);
}

TEST(Validation, MatmulShapes) {
    std::vector<float> a(6), b(6), c(9);
    pj_tensor ta = view(a, PJ_FLOAT32, {2, 3}), tb = view(b, PJ_FLOAT32, {3, 2}), tc = view(c, PJ_FLOAT32, {2, 2});
    EXPECT_EQ(pj_cpu_matmul(&ta, &tb, &tc), PJ_OK) << pj_last_error();
    pj_tensor wrong = view(c, PJ_FLOAT32, {3, 3});
    EXPECT_EQ(pj_cpu_matmul(&ta, &tb, &wrong), PJ_ERR_SHAPE);
    EXPECT_EQ(pj_cpu_matmul(&ta, &ta, &tc), PJ_ERR_SHAPE);
    pj_tensor flat = view(a, PJ_FLOAT32, {6});
    EXPECT_EQ(pj_cpu_matmul(&flat, &tb, &tc), PJ_ERR_SHAPE);
}
