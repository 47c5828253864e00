// JNI glue for org.pyj4.backend.cpu.CpuNative: every entry unpacks its descriptors (glue.h), calls
// the C ABI, which validates everything before touching memory, and turns a failed status into the
// Java exception of its kind.
#include "glue.h"

using pj::jni::check;
using pj::jni::dense;
using pj::jni::throw_java;
using pj::jni::unpack;

#define PJ_JNI(ret, name) extern "C" JNIEXPORT ret JNICALL Java_org_pyj4_backend_cpu_CpuNative_##name

PJ_JNI(void, copy)(JNIEnv* env, jclass, jlongArray desc) {
    PJ_JNI_BODY("copy", {
        pj_tensor t[2];
        if (unpack(env, "copy", desc, 2, t)) check(env, pj_cpu_copy(&t[0], &t[1]));
    })
}

PJ_JNI(void, unary)(JNIEnv* env, jclass, jint op, jlongArray desc) {
    PJ_JNI_BODY("unary", {
        pj_tensor t[2];
        if (unpack(env, "unary", desc, 2, t)) check(env, pj_cpu_unary(op, &t[0], &t[1]));
    })
}

PJ_JNI(void, binary)(JNIEnv* env, jclass, jint op, jlongArray desc) {
    PJ_JNI_BODY("binary", {
        pj_tensor t[3];
        if (unpack(env, "binary", desc, 3, t)) check(env, pj_cpu_binary(op, &t[0], &t[1], &t[2]));
    })
}

// The dense forms (see CpuBackend.binary): operands of one shape, each contiguous, travel as scalars
// (address, byte size, offset in elements), with no descriptor array to copy and parse.
PJ_JNI(void, unaryDense)(JNIEnv* env, jclass, jint op, jint dtype, jint out_dtype, jlong n, jlong x, jlong x_bytes,
                         jlong x_offset, jlong out, jlong out_bytes, jlong out_offset, jint out_flags) {
    PJ_JNI_BODY("unary", {
        pj_tensor t[2];
        dense(t[0], x, x_bytes, dtype, x_offset, 0, n);
        dense(t[1], out, out_bytes, out_dtype, out_offset, out_flags, n);
        check(env, pj_cpu_unary(op, &t[0], &t[1]));
    })
}

PJ_JNI(void, binaryDense)(JNIEnv* env, jclass, jint op, jint dtype, jint out_dtype, jlong n, jlong a, jlong a_bytes,
                          jlong a_offset, jlong b, jlong b_bytes, jlong b_offset, jlong out, jlong out_bytes,
                          jlong out_offset, jint out_flags) {
    PJ_JNI_BODY("binary", {
        pj_tensor t[3];
        dense(t[0], a, a_bytes, dtype, a_offset, 0, n);
        dense(t[1], b, b_bytes, dtype, b_offset, 0, n);
        dense(t[2], out, out_bytes, out_dtype, out_offset, out_flags, n);
        check(env, pj_cpu_binary(op, &t[0], &t[1], &t[2]));
    })
}

PJ_JNI(void, where)(JNIEnv* env, jclass, jlongArray desc) {
    PJ_JNI_BODY("where", {
        pj_tensor t[4];
        if (unpack(env, "where", desc, 4, t)) check(env, pj_cpu_where(&t[0], &t[1], &t[2], &t[3]));
    })
}

PJ_JNI(void, reduce)(JNIEnv* env, jclass, jint op, jintArray axes, jlongArray desc) {
    PJ_JNI_BODY("reduce", {
        pj_tensor t[2];
        if (!unpack(env, "reduce", desc, 2, t)) return;
        if (axes == nullptr) {
            throw_java(env, PJ_ERR_ARGUMENT, "reduce: expected an axes array. Received: null");
            return;
        }
        jsize n = env->GetArrayLength(axes);
        if (n > PJ_MAX_RANK) {
            throw_java(env, PJ_ERR_ARGUMENT, "reduce: expected at most 16 axes. Received: " + std::to_string(n));
            return;
        }
        jint values[PJ_MAX_RANK];
        env->GetIntArrayRegion(axes, 0, n, values);
        if (env->ExceptionCheck()) return;
        int32_t ax[PJ_MAX_RANK];
        for (jsize i = 0; i < n; i++) ax[i] = values[i];
        check(env, pj_cpu_reduce(op, &t[0], ax, n, &t[1]));
    })
}

PJ_JNI(void, matmul)(JNIEnv* env, jclass, jlongArray desc) {
    PJ_JNI_BODY("matmul", {
        pj_tensor t[3];
        if (unpack(env, "matmul", desc, 3, t)) check(env, pj_cpu_matmul(&t[0], &t[1], &t[2]));
    })
}

PJ_JNI(void, gather)(JNIEnv* env, jclass, jlongArray desc) {
    PJ_JNI_BODY("gather", {
        pj_tensor t[3];
        if (unpack(env, "gather", desc, 3, t)) check(env, pj_cpu_gather(&t[0], &t[1], &t[2]));
    })
}

PJ_JNI(void, scatter)(JNIEnv* env, jclass, jlongArray desc) {
    PJ_JNI_BODY("scatter", {
        pj_tensor t[3];
        if (unpack(env, "scatter", desc, 3, t)) check(env, pj_cpu_scatter(&t[0], &t[1], &t[2]));
    })
}

PJ_JNI(void, random)(JNIEnv* env, jclass, jint kind, jlong seed, jlong counter, jdouble a, jdouble b, jlongArray desc) {
    PJ_JNI_BODY("random", {
        pj_tensor t[1];
        if (unpack(env, "random", desc, 1, t)) check(env, pj_cpu_random(kind, seed, counter, a, b, &t[0]));
    })
}

PJ_JNI(void, optimizerStep)(JNIEnv* env, jclass, jint kind, jint nstate, jdoubleArray hyper, jlongArray desc) {
    PJ_JNI_BODY("optimizerStep", {
        if (nstate < 0 || nstate > 3) {
            throw_java(env, PJ_ERR_ARGUMENT, "optimizerStep: expected at most 3 state tensors. Received: " + std::to_string(nstate));
            return;
        }
        pj_tensor t[5];
        if (!unpack(env, "optimizerStep", desc, 2 + nstate, t)) return;
        if (hyper == nullptr) {
            throw_java(env, PJ_ERR_ARGUMENT, "optimizerStep: expected a hyper array. Received: null");
            return;
        }
        jsize n = env->GetArrayLength(hyper);
        if (n > 16) {
            throw_java(env, PJ_ERR_ARGUMENT, "optimizerStep: too many hyperparameters: " + std::to_string(n));
            return;
        }
        jdouble h[16];
        env->GetDoubleArrayRegion(hyper, 0, n, h);
        if (env->ExceptionCheck()) return;
        const pj_tensor* state[3] = {&t[2], &t[3], &t[4]};
        check(env, pj_cpu_optimizer_step(kind, &t[0], &t[1], state, nstate, h, n));
    })
}

PJ_JNI(jlong, allocate)(JNIEnv*, jclass, jlong bytes) {
    return static_cast<jlong>(reinterpret_cast<intptr_t>(pj_cpu_alloc(bytes)));
}

PJ_JNI(jlong, allocateUninitialized)(JNIEnv*, jclass, jlong bytes) {
    return static_cast<jlong>(reinterpret_cast<intptr_t>(pj_cpu_alloc_uninitialized(bytes)));
}

PJ_JNI(void, free)(JNIEnv*, jclass, jlong address, jlong bytes) {
    pj_cpu_free(reinterpret_cast<void*>(static_cast<intptr_t>(address)), bytes);
}

PJ_JNI(jint, threads)(JNIEnv*, jclass) { return pj_cpu_threads(); }

PJ_JNI(void, setThreads)(JNIEnv* env, jclass, jint n) {
    if (n < 1) {
        throw_java(env, PJ_ERR_ARGUMENT, "threads: expected at least 1. Received: " + std::to_string(n));
        return;
    }
    pj_cpu_set_threads(n);
}

PJ_JNI(void, loadBlas)(JNIEnv* env, jclass, jstring path) {
    PJ_JNI_BODY("loadBlas", {
        const char* p = path != nullptr ? env->GetStringUTFChars(path, nullptr) : nullptr;
        if (path != nullptr && p == nullptr) return;  // OutOfMemoryError pending
        int status = pj_cpu_load_blas(p);
        if (p != nullptr) env->ReleaseStringUTFChars(path, p);
        check(env, status);
    })
}

PJ_JNI(void, setBlasPath)(JNIEnv* env, jclass, jstring path) {
    PJ_JNI_BODY("setBlasPath", {
        const char* p = path != nullptr ? env->GetStringUTFChars(path, nullptr) : nullptr;
        if (path != nullptr && p == nullptr) return;
        pj_cpu_set_blas_path(p);
        if (p != nullptr) env->ReleaseStringUTFChars(path, p);
    })
}

PJ_JNI(jstring, info)(JNIEnv* env, jclass) { return env->NewStringUTF(pj_cpu_info()); }

PJ_JNI(void, selectIsa)(JNIEnv* env, jclass, jstring name) {
    PJ_JNI_BODY("selectIsa", {
        const char* p = name != nullptr ? env->GetStringUTFChars(name, nullptr) : nullptr;
        if (name != nullptr && p == nullptr) return;
        int status = pj_cpu_select_isa(p);
        if (p != nullptr) env->ReleaseStringUTFChars(name, p);
        check(env, status);
    })
}
