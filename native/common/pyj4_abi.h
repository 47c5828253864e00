/*
 * The C ABI shared by pyj4's native backends (CPU now, CUDA later) and their JNI glue.
 *
 * Enum values equal the ordinals of the Java enums in org.pyj4.ndarray.DType and
 * org.pyj4.backend.{UnaryOp, BinaryOp, ReduceOp, RandomKind}; the Java side passes ordinals as is.
 * A tensor is a buffer (address + byte size) viewed with a dtype, shape, strides and an offset, the
 * last two counted in elements (strides may be 0 or negative). Every entry point validates its
 * descriptors before touching memory and returns a status; on failure pj_last_error() gives the
 * message for this thread.
 */
#ifndef PYJ4_ABI_H
#define PYJ4_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Entry points of the C ABI stay visible in the shared library (everything else is hidden). */
#define PJ_API __attribute__((visibility("default")))

#define PJ_MAX_RANK 16

typedef enum pj_dtype {
    PJ_BOOL = 0, PJ_UINT8, PJ_INT8, PJ_INT16, PJ_INT32, PJ_INT64,
    PJ_FLOAT16, PJ_BFLOAT16, PJ_FLOAT32, PJ_FLOAT64,
    PJ_DTYPE_COUNT
} pj_dtype;

typedef enum pj_unary_op {
    PJ_NEG = 0, PJ_ABS, PJ_SIGN, PJ_SQUARE, PJ_RELU, PJ_FLOOR, PJ_CEIL, PJ_ROUND,
    PJ_INVERT,
    PJ_EXP, PJ_EXPM1, PJ_LOG, PJ_LOG1P, PJ_SQRT, PJ_RECIPROCAL,
    PJ_SIN, PJ_COS, PJ_TAN, PJ_TANH, PJ_SIGMOID, PJ_ERF,
    PJ_ISNAN, PJ_ISINF, PJ_ISFINITE,
    PJ_UNARY_OP_COUNT
} pj_unary_op;

typedef enum pj_binary_op {
    PJ_ADD = 0, PJ_SUB, PJ_MUL, PJ_DIV, PJ_FLOORDIV, PJ_MOD, PJ_POW, PJ_MAXIMUM, PJ_MINIMUM,
    PJ_EQ, PJ_NE, PJ_LT, PJ_LE, PJ_GT, PJ_GE,
    PJ_AND, PJ_OR, PJ_XOR,
    PJ_ADD_RELU, PJ_RELU_GRAD, /* floats only: relu(a + b); a where b > 0, else 0 (NaN where b is NaN) */
    PJ_BINARY_OP_COUNT
} pj_binary_op;

typedef enum pj_reduce_op {
    PJ_SUM = 0, PJ_PROD, PJ_MAX, PJ_MIN, PJ_ARGMAX, PJ_ARGMIN, PJ_ANY, PJ_ALL,
    PJ_REDUCE_OP_COUNT
} pj_reduce_op;

typedef enum pj_random_kind { PJ_UNIFORM = 0, PJ_NORMAL, PJ_RANDOM_KIND_COUNT } pj_random_kind;

/* Status codes; the JNI glue maps each to a Java exception class (named beside it). */
typedef enum pj_status {
    PJ_OK = 0,
    PJ_ERR_ARGUMENT = 1,  /* IllegalArgumentException: a malformed descriptor or argument */
    PJ_ERR_SHAPE = 2,     /* org.pyj4.ndarray.ShapeException: shapes that do not fit the op */
    PJ_ERR_DTYPE = 3,     /* org.pyj4.ndarray.DTypeException: a dtype the op does not take */
    PJ_ERR_INDEX = 4,     /* IndexOutOfBoundsException: gather/scatter index out of range */
    PJ_ERR_BACKEND = 5,   /* org.pyj4.backend.BackendException: anything else that failed inside */
    PJ_ERR_MEMORY = 6     /* OutOfMemoryError: a temporary could not be allocated */
} pj_status;

/* Flag bits of pj_tensor.flags. */
#define PJ_TENSOR_READONLY 1u

typedef struct pj_tensor {
    void* data;          /* first byte of the buffer (not of the view) */
    int64_t byte_size;   /* bytes addressable from data */
    int32_t dtype;       /* pj_dtype */
    int32_t rank;        /* 0..PJ_MAX_RANK */
    int64_t offset;      /* in elements */
    uint32_t flags;      /* PJ_TENSOR_* */
    uint32_t reserved;
    int64_t shape[PJ_MAX_RANK];
    int64_t strides[PJ_MAX_RANK]; /* in elements */
} pj_tensor;

/* The message of this thread's last failed call ("" if none). */
PJ_API const char* pj_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PYJ4_ABI_H */
