// JNI glue for org.pyj4.backend.cpu.CpuLayerNative: the layer primitives (scatterAdd, im2col,
// col2im, pool, rnnCell). Same conventions as cpu_jni.cpp: tensors arrive packed in a long[] (per
// tensor [address, byteSize, dtype, rank, offset, flags, shape[rank]..., strides[rank]...]), are
// parsed defensively, go to the C ABI (which validates everything before touching memory), and a
// failed status becomes the Java exception of its kind. No C++ exception crosses into the JVM.
#include <jni.h>
#include <string.h>

#include <string>

#include "pyj4_cpu.h"
#include "pyj4_cpu_layers.h"

namespace {

constexpr int kFieldsBeforeDims = 6;
constexpr int kMaxTensors = 10;  // GRU_BACKWARD's operand count
constexpr jsize kMaxDescriptorLongs = kMaxTensors * (kFieldsBeforeDims + 2 * PJ_MAX_RANK);

const char* exception_class(int status) {
    switch (status) {
        case PJ_ERR_ARGUMENT: return "java/lang/IllegalArgumentException";
        case PJ_ERR_SHAPE: return "org/pyj4/ndarray/ShapeException";
        case PJ_ERR_DTYPE: return "org/pyj4/ndarray/DTypeException";
        case PJ_ERR_INDEX: return "java/lang/IndexOutOfBoundsException";
        case PJ_ERR_MEMORY: return "java/lang/OutOfMemoryError";
        default: return "org/pyj4/backend/BackendException";
    }
}

void throw_java(JNIEnv* env, int status, const std::string& message) {
    if (env->ExceptionCheck()) return;
    jclass cls = env->FindClass(exception_class(status));
    if (cls == nullptr) {
        env->ExceptionClear();
        cls = env->FindClass("java/lang/RuntimeException");
        if (cls == nullptr) return;
    }
    env->ThrowNew(cls, message.c_str());
}

void check(JNIEnv* env, int status) {
    if (status != PJ_OK) throw_java(env, status, pj_last_error());
}

/** Unpacks exactly `count` tensors; false (with a pending IllegalArgumentException) if malformed. */
bool unpack(JNIEnv* env, const char* op, jlongArray desc, int count, pj_tensor* out) {
    if (desc == nullptr) {
        throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": expected a descriptor array. Received: null");
        return false;
    }
    const jsize length = env->GetArrayLength(desc);
    if (count < 0 || count > kMaxTensors || length > kMaxDescriptorLongs) {
        throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": descriptor array of " + std::to_string(length) + " longs for " +
                                             std::to_string(count) + " tensors is out of range");
        return false;
    }
    jlong words[kMaxDescriptorLongs];
    env->GetLongArrayRegion(desc, 0, length, words);
    if (env->ExceptionCheck()) return false;
    jsize at = 0;
    for (int i = 0; i < count; i++) {
        pj_tensor& t = out[i];
        memset(&t, 0, sizeof t);
        if (at + kFieldsBeforeDims > length) goto malformed;
        t.data = reinterpret_cast<void*>(static_cast<intptr_t>(words[at]));
        t.byte_size = words[at + 1];
        t.dtype = (int32_t)words[at + 2];
        if (words[at + 2] != t.dtype) t.dtype = -1;  // out of int range: reported as a bad dtype code
        {
            const jlong rank = words[at + 3];
            t.offset = words[at + 4];
            t.flags = (uint32_t)words[at + 5];
            at += kFieldsBeforeDims;
            if (rank < 0 || rank > PJ_MAX_RANK) goto malformed;
            t.rank = (int32_t)rank;
            if (at + 2 * rank > length) goto malformed;
            for (int d = 0; d < rank; d++) t.shape[d] = words[at + d];
            for (int d = 0; d < rank; d++) t.strides[d] = words[at + rank + d];
            at += 2 * (jsize)rank;
        }
    }
    if (at == length) return true;
malformed:
    throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": malformed descriptor array of " + std::to_string(length) + " longs for " +
                                         std::to_string(count) + " tensors");
    return false;
}

/** The 8 numbers of org.pyj4.backend.Window, in its component order. */
bool unpack_window(JNIEnv* env, const char* op, jintArray values, pj_window* w) {
    if (values == nullptr || env->GetArrayLength(values) != 8) {
        throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": expected 8 window values");
        return false;
    }
    jint v[8];
    env->GetIntArrayRegion(values, 0, 8, v);
    if (env->ExceptionCheck()) return false;
    *w = pj_window{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
    return true;
}

}  // namespace

#define PJ_JNI_BODY(op, ...)                                                                 \
    try {                                                                                    \
        __VA_ARGS__;                                                                         \
    } catch (...) {                                                                          \
        throw_java(env, PJ_ERR_BACKEND, op ": unexpected native failure in the JNI glue");   \
    }

#define PJ_JNI(ret, name) extern "C" JNIEXPORT ret JNICALL Java_org_pyj4_backend_cpu_CpuLayerNative_##name

PJ_JNI(void, scatterAdd)(JNIEnv* env, jclass, jlongArray desc) {
    PJ_JNI_BODY("scatterAdd", {
        pj_tensor t[3];
        if (unpack(env, "scatterAdd", desc, 3, t)) check(env, pj_cpu_scatter_add(&t[0], &t[1], &t[2]));
    })
}

PJ_JNI(void, im2col)(JNIEnv* env, jclass, jintArray window, jlongArray desc) {
    PJ_JNI_BODY("im2col", {
        pj_tensor t[2];
        pj_window w;
        if (unpack_window(env, "im2col", window, &w) && unpack(env, "im2col", desc, 2, t)) check(env, pj_cpu_im2col(&t[0], &w, &t[1]));
    })
}

PJ_JNI(void, col2im)(JNIEnv* env, jclass, jintArray window, jlongArray desc) {
    PJ_JNI_BODY("col2im", {
        pj_tensor t[2];
        pj_window w;
        if (unpack_window(env, "col2im", window, &w) && unpack(env, "col2im", desc, 2, t)) check(env, pj_cpu_col2im(&t[0], &w, &t[1]));
    })
}

PJ_JNI(void, conv2d)(JNIEnv* env, jclass, jintArray window, jboolean withBias, jlongArray desc) {
    PJ_JNI_BODY("conv2d", {
        pj_tensor t[4];
        pj_window w;
        const int count = withBias ? 4 : 3;  // x, kernel, out[, bias]
        if (unpack_window(env, "conv2d", window, &w) && unpack(env, "conv2d", desc, count, t))
            check(env, pj_cpu_conv2d(&t[0], &t[1], withBias ? &t[3] : nullptr, &w, &t[2]));
    })
}

PJ_JNI(void, conv2dKernelGrad)(JNIEnv* env, jclass, jintArray window, jboolean withBias, jlongArray desc) {
    PJ_JNI_BODY("conv2dKernelGrad", {
        pj_tensor t[4];
        pj_window w;
        const int count = withBias ? 4 : 3;  // x, dy, dkernel[, dbias]
        if (unpack_window(env, "conv2dKernelGrad", window, &w) && unpack(env, "conv2dKernelGrad", desc, count, t))
            check(env, pj_cpu_conv2d_kernel_grad(&t[0], &t[1], &w, &t[2], withBias ? &t[3] : nullptr));
    })
}

PJ_JNI(void, pool)(JNIEnv* env, jclass, jint kind, jintArray window, jboolean withArgmax, jlongArray desc) {
    PJ_JNI_BODY("pool", {
        pj_tensor t[3];
        pj_window w;
        const int count = withArgmax ? 3 : 2;
        if (unpack_window(env, "pool", window, &w) && unpack(env, "pool", desc, count, t))
            check(env, pj_cpu_pool(kind, &t[0], &w, &t[1], withArgmax ? &t[2] : nullptr));
    })
}

PJ_JNI(void, rnnCell)(JNIEnv* env, jclass, jint kind, jint count, jlongArray desc) {
    PJ_JNI_BODY("rnnCell", {
        pj_tensor t[kMaxTensors];
        if (!unpack(env, "rnnCell", desc, count, t)) return;
        const pj_tensor* ops[kMaxTensors];
        for (int i = 0; i < count; i++) ops[i] = &t[i];
        check(env, pj_cpu_rnn_cell(kind, ops, count));
    })
}
