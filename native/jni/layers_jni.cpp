// JNI glue for org.pyj4.backend.cpu.CpuLayerNative: the layer primitives (scatterAdd, im2col,
// col2im, conv2d, pool, rnnCell), with the conventions of cpu_jni.cpp (glue.h).
#include "glue.h"
#include "pyj4_cpu_layers.h"

namespace {

using pj::jni::check;
using pj::jni::kMaxTensors;
using pj::jni::throw_java;
using pj::jni::unpack;

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

PJ_JNI(void, lstmSequence)(JNIEnv* env, jclass, jboolean grad, jlongArray desc) {
    PJ_JNI_BODY("lstmSequence", {
        pj_tensor t[6];
        const int count = grad ? 6 : 5;  // forward: xproj, u, gates, c, h; grad: gates, c, u, dh, dcLast, dz
        if (!unpack(env, "lstmSequence", desc, count, t)) return;
        if (grad) check(env, pj_cpu_lstm_sequence_grad(&t[0], &t[1], &t[2], &t[3], &t[4], &t[5]));
        else check(env, pj_cpu_lstm_sequence(&t[0], &t[1], &t[2], &t[3], &t[4]));
    })
}
