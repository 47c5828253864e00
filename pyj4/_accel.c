/*
 * pyj4._accel: the operator fast path in C (optional; pyj4/_ndarray.py works without it).
 *
 * `a + b` on two pyj4 arrays costs NumPy about 0.5 us. Through Python code and JPype it costs about
 * 3 us, of which the Java side (NDArray.binaryHandle: look up both arrays, compute, register the
 * result) takes 0.4: the rest is the Python-level operator function, JPype's call machinery and
 * the Python-level __del__ of each result. This module replaces those three with C: an operator
 * object that Python calls as NDArray.__add__ (the other binary operators, and @) and NDArray.__del__,
 * which calls the same Java entry points through JNI on the JVM that JPype started.
 *
 * It changes how an operator is called, never what it computes: the Java entry points are the ones
 * the Python path calls. Anything this path does not handle (an operand that is not a pyj4 array or
 * has no handle yet, a thread that JPype has not attached, a Java exception) goes to the Python
 * implementation, which remains the definition; on an exception that re-runs the call so that the
 * error is raised as the Python path raises it (the failed call changed nothing but closing
 * `done`, which it consumes either way).
 *
 * It also carries model.predict's batch call (predict_into): NumPy float32 rows in, predictions
 * written into a NumPy array, through Predictor.predictIntoHandle, which checks the byte counts
 * against the model before it reads or writes anything.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <dlfcn.h>
#include <jni.h>

/* What install() found: the JVM, the Java entry points, the NDArray type and its slots. */
static struct {
    JavaVM* vm;
    jclass cls;          /* org.pyj4.ndarray.NDArray (global reference) */
    jmethodID binary;    /* static long binaryHandle(int op, long a, long b, long done) */
    jmethodID matmul;    /* static long matmulHandle(long a, long b, long done) */
    jmethodID close;     /* static void closeHandle(long h) */
    jmethodID with_double;  /* static long binaryDoubleHandle(int op, long a, double s, boolean scalarFirst, long done) */
    jmethodID with_long;    /* static long binaryLongHandle(int op, long a, long s, boolean scalarFirst, long done) */
    jclass predictor;    /* org.pyj4.nn.training.Predictor (global reference), or NULL */
    jmethodID predict;   /* static boolean predictIntoHandle(long model, long in, long inBytes, long rows, long out, long outBytes, int batch) */
    PyTypeObject* type;  /* pyj4.NDArray */
    Py_ssize_t off_jo, off_h, off_n, off_small;
    PyObject* released;  /* pyj4._java.released (a deque of handles waiting to be closed) */
    PyObject* pop;       /* its bound pop and append */
    PyObject* append;
    PyObject* is_started;  /* _jpype.isStarted: no JNI once the JVM is gone */
    PyObject* close_py;    /* closes a handle through JPype (which attaches the thread) */
    long long small_max;
} S;

/* ---- slots of a pyj4.NDArray, read and written at their offsets ----------------------------- */

static inline PyObject** slot(PyObject* o, Py_ssize_t off) { return (PyObject**)((char*)o + off); }

/* A slot holding a Python int: its value, or 0 when unset or not an int that fits. */
static long long slot_ll(PyObject* o, Py_ssize_t off) {
    PyObject* v = *slot(o, off);
    if (v == NULL || !PyLong_CheckExact(v)) return 0;
    long long x = PyLong_AsLongLong(v);
    if (x == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return x;
}

static inline void slot_set(PyObject* o, Py_ssize_t off, PyObject* v) {
    PyObject* old = *slot(o, off);
    *slot(o, off) = v;
    Py_XDECREF(old);
}

static int jvm_alive(void) {
    if (S.vm == NULL) return 0;
    PyObject* r = PyObject_CallNoArgs(S.is_started);
    if (r == NULL) {
        PyErr_Clear();
        return 0;
    }
    int alive = PyObject_IsTrue(r) == 1;
    Py_DECREF(r);
    return alive;
}

/* This thread's JNIEnv, or NULL when JPype has not attached it (the Python path attaches it). */
static JNIEnv* env_or_null(void) {
    JNIEnv* env = NULL;
    if (!jvm_alive() || (*S.vm)->GetEnv(S.vm, (void**)&env, JNI_VERSION_1_8) != JNI_OK) return NULL;
    return env;
}

/* A handle from `released` for the next call to close on its way into Java (0: none). */
static long long take_released(void) {
    if (PySequence_Size(S.released) <= 0) {
        PyErr_Clear();
        return 0;
    }
    PyObject* h = PyObject_CallNoArgs(S.pop);
    if (h == NULL) {  /* another thread took it */
        PyErr_Clear();
        return 0;
    }
    long long v = PyLong_AsLongLong(h);
    Py_DECREF(h);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return v;
}

/* ---- the operator object ---------------------------------------------------------------------- */

/* A method of NDArray implemented here: a binary operator (code >= 0: the BinaryOp ordinal; or
 * CODE_MATMUL, @), or __del__ (CODE_DEL). Flagged as a method descriptor, so Python calls it with self first and
 * without making a bound method; `fallback` is the Python implementation it replaces. */
enum { CODE_DEL = -1, CODE_MATMUL = -2 };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    int code;
    int reflected;  /* __radd__ and friends: self is the right operand */
    PyObject* fallback;
} FastMethod;

static PyObject* call_fallback(FastMethod* m, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
    return PyObject_Vectorcall(m->fallback, args, nargsf, kwnames);
}

/* The operand kinds this path takes: another pyj4 array, a Python float, a Python int in int64
 * (NEP 50 weak scalars, as the Python path passes them). */
enum { OTHER_ARRAY, OTHER_FLOAT, OTHER_INT, OTHER_ELSE };

static int other_kind(PyObject* o, double* d, long long* l) {
    if (Py_TYPE(o) == S.type) return OTHER_ARRAY;
    if (PyFloat_CheckExact(o)) {
        *d = PyFloat_AS_DOUBLE(o);
        return OTHER_FLOAT;
    }
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        *l = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow == 0 && !(*l == -1 && PyErr_Occurred())) return OTHER_INT;
        PyErr_Clear();  /* beyond int64: the Python path raises NumPy's error */
    }
    return OTHER_ELSE;
}

static PyObject* binary_call(PyObject* callable, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
    FastMethod* m = (FastMethod*)callable;
    if (PyVectorcall_NARGS(nargsf) != 2 || kwnames != NULL) return call_fallback(m, args, nargsf, kwnames);
    PyObject *a = args[0], *b = args[1];  /* a: self */
    double d = 0;
    long long l = 0;
    const int kind = Py_TYPE(a) == S.type ? other_kind(b, &d, &l) : OTHER_ELSE;
    /* A reflected operator sees another array only when that array's own operator declined; @
     * takes arrays only (a scalar operand is an error, which the Python path raises). */
    if (kind == OTHER_ELSE || (m->reflected && kind == OTHER_ARRAY) || (m->code == CODE_MATMUL && kind != OTHER_ARRAY))
        return call_fallback(m, args, nargsf, kwnames);
    long long ha = slot_ll(a, S.off_h), hb = kind == OTHER_ARRAY ? slot_ll(b, S.off_h) : 1;
    JNIEnv* env;
    if (ha == 0 || hb == 0 || (env = env_or_null()) == NULL) return call_fallback(m, args, nargsf, kwnames);
    const jlong done = (jlong)take_released();
    jlong h;
    jboolean failed;
    /* As JPype does for a Java call: other Python threads run meanwhile. */
    Py_BEGIN_ALLOW_THREADS
    if (m->code == CODE_MATMUL)
        h = (*env)->CallStaticLongMethod(env, S.cls, S.matmul, (jlong)ha, (jlong)hb, done);
    else if (kind == OTHER_ARRAY)
        h = (*env)->CallStaticLongMethod(env, S.cls, S.binary, (jint)m->code, (jlong)ha, (jlong)hb, done);
    else if (kind == OTHER_FLOAT)
        h = (*env)->CallStaticLongMethod(env, S.cls, S.with_double, (jint)m->code, (jlong)ha, (jdouble)d, (jboolean)m->reflected, done);
    else
        h = (*env)->CallStaticLongMethod(env, S.cls, S.with_long, (jint)m->code, (jlong)ha, (jlong)l, (jboolean)m->reflected, done);
    failed = (*env)->ExceptionCheck(env);
    Py_END_ALLOW_THREADS
    if (failed) {
        (*env)->ExceptionClear(env);
        return call_fallback(m, args, nargsf, kwnames);
    }
    /* The result has at most as many elements as both operands' counts multiplied (0: unknown; a
     * product's too, whose inner axis has at least one element when na > 0); a scalar does not grow it. */
    long long na = slot_ll(a, S.off_n), nb = kind == OTHER_ARRAY ? slot_ll(b, S.off_n) : 1;
    long long n = (na > 0 && nb > 0 && na <= (1LL << 31) && nb <= (1LL << 31)) ? na * nb : 0;
    int small = n > 0 && n <= S.small_max;
    PyObject* r = S.type->tp_alloc(S.type, 0);
    PyObject* hv = r ? PyLong_FromLongLong(h) : NULL;
    PyObject* nv = hv ? PyLong_FromLongLong(small ? n : 0) : NULL;
    if (nv == NULL) {  /* out of memory: close the result in Java, report Python's error */
        Py_XDECREF(hv);
        Py_XDECREF(r);
        (*env)->CallStaticVoidMethod(env, S.cls, S.close, h);
        (*env)->ExceptionClear(env);
        return NULL;
    }
    Py_INCREF(Py_None);
    slot_set(r, S.off_jo, Py_None);
    slot_set(r, S.off_h, hv);
    slot_set(r, S.off_n, nv);
    PyObject* sv = small ? Py_True : Py_False;
    Py_INCREF(sv);
    slot_set(r, S.off_small, sv);
    return r;
}

/* NDArray.__del__ for an array named by a handle; others go to the Python __del__. */
static PyObject* del_call(PyObject* callable, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
    FastMethod* m = (FastMethod*)callable;
    if (PyVectorcall_NARGS(nargsf) != 1 || kwnames != NULL || Py_TYPE(args[0]) != S.type)
        return call_fallback(m, args, nargsf, kwnames);
    PyObject* self = args[0];
    PyObject* hv = *slot(self, S.off_h);
    if (hv == NULL) Py_RETURN_NONE;  /* __init__ failed before it set the slots */
    long long h = slot_ll(self, S.off_h);
    if (h == 0) return call_fallback(m, args, nargsf, kwnames);
    if (*slot(self, S.off_small) == Py_True) {
        /* A small operator result: the next operator call closes it on its way into Java. At most
         * one waits; a second one is closed now. */
        PyObject* r = PyObject_CallOneArg(S.append, hv);
        if (r == NULL) {
            PyErr_Clear();
        } else {
            Py_DECREF(r);
            if (PySequence_Size(S.released) < 2) Py_RETURN_NONE;
            h = take_released();
            if (h == 0) Py_RETURN_NONE;
        }
    }
    JNIEnv* env = env_or_null();
    if (env == NULL) {
        if (!jvm_alive()) Py_RETURN_NONE;
        /* A thread JPype has not attached: the Python path closes h (attaching it). */
        PyObject* hobj = PyLong_FromLongLong(h);
        if (hobj == NULL) return NULL;
        PyObject* r = PyObject_CallOneArg(S.close_py, hobj);
        Py_DECREF(hobj);
        if (r == NULL) PyErr_Clear();
        Py_XDECREF(r);
        Py_RETURN_NONE;
    }
    Py_BEGIN_ALLOW_THREADS
    (*env)->CallStaticVoidMethod(env, S.cls, S.close, (jlong)h);
    (*env)->ExceptionClear(env);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static void fast_dealloc(FastMethod* m) {
    Py_XDECREF(m->fallback);
    PyObject_Free(m);
}

static PyObject* fast_get(PyObject* self, PyObject* obj, PyObject* type) {
    if (obj == NULL || obj == Py_None) {
        Py_INCREF(self);
        return self;
    }
    return PyMethod_New(self, obj);
}

static PyTypeObject FastMethodType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyj4._accel.FastMethod",
    .tp_basicsize = sizeof(FastMethod),
    .tp_dealloc = (destructor)fast_dealloc,
    .tp_vectorcall_offset = offsetof(FastMethod, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_descr_get = fast_get,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_doc = "A pyj4.NDArray method implemented in C, with its Python implementation as fallback.",
};

static PyObject* make_method(int code, int reflected, PyObject* fallback) {
    FastMethod* m = PyObject_New(FastMethod, &FastMethodType);
    if (m == NULL) return NULL;
    m->vectorcall = code == CODE_DEL ? del_call : binary_call;
    m->code = code;
    m->reflected = reflected;
    Py_INCREF(fallback);
    m->fallback = fallback;
    return (PyObject*)m;
}

/* ---- install ------------------------------------------------------------------------------------ */

static int member_offset(PyTypeObject* type, const char* name, Py_ssize_t* out) {
    PyObject* d = PyDict_GetItemString(type->tp_dict, name);  /* borrowed */
    if (d == NULL || Py_TYPE(d) != &PyMemberDescr_Type) {
        PyErr_Format(PyExc_TypeError, "expected NDArray to have the slot %s", name);
        return -1;
    }
    *out = ((PyMemberDescrObject*)d)->d_member->offset;
    return 0;
}

/* install(ndarray_type, released, is_started, close_handle, libjvm_path, small_max) -> None: finds the
 * JVM that JPype started (in libjvm, already loaded) and the Java entry points, once per process (a
 * JVM cannot be restarted). Raises if anything is missing; the caller then keeps the Python path. */
static PyObject* install(PyObject* mod, PyObject* args) {
    PyObject *type, *released, *is_started, *close_py;
    const char* jvm_path;
    long long small_max;
    if (!PyArg_ParseTuple(args, "O!OOOsL", &PyType_Type, &type, &released, &is_started, &close_py, &jvm_path, &small_max))
        return NULL;
    /* Once only: a call in flight on another thread (without the GIL) uses what S holds. */
    if (S.vm != NULL) Py_RETURN_NONE;
    PyTypeObject* t = (PyTypeObject*)type;
    Py_ssize_t off_jo, off_h, off_n, off_small;
    if (member_offset(t, "_jo", &off_jo) || member_offset(t, "_h", &off_h) || member_offset(t, "_n", &off_n)
        || member_offset(t, "_small", &off_small))
        return NULL;
    void* lib = dlopen(jvm_path, RTLD_NOW | RTLD_NOLOAD);
    if (lib == NULL) return PyErr_Format(PyExc_RuntimeError, "libjvm is not loaded: %s", jvm_path);
    typedef jint (*GetVMs)(JavaVM**, jsize, jsize*);
    GetVMs get_vms = (GetVMs)dlsym(lib, "JNI_GetCreatedJavaVMs");
    JavaVM* vm = NULL;
    jsize count = 0;
    if (get_vms == NULL || get_vms(&vm, 1, &count) != JNI_OK || count < 1)
        return PyErr_Format(PyExc_RuntimeError, "no running JVM in %s", jvm_path);
    JNIEnv* env = NULL;
    if ((*vm)->GetEnv(vm, (void**)&env, JNI_VERSION_1_8) != JNI_OK)
        return PyErr_Format(PyExc_RuntimeError, "this thread is not attached to the JVM");
    jclass local = (*env)->FindClass(env, "org/pyj4/ndarray/NDArray");
    jmethodID binary = local ? (*env)->GetStaticMethodID(env, local, "binaryHandle", "(IJJJ)J") : NULL;
    jmethodID matmul = binary ? (*env)->GetStaticMethodID(env, local, "matmulHandle", "(JJJ)J") : NULL;
    jmethodID close = matmul ? (*env)->GetStaticMethodID(env, local, "closeHandle", "(J)V") : NULL;
    jmethodID with_double = close ? (*env)->GetStaticMethodID(env, local, "binaryDoubleHandle", "(IJDZJ)J") : NULL;
    jmethodID with_long = with_double ? (*env)->GetStaticMethodID(env, local, "binaryLongHandle", "(IJJZJ)J") : NULL;
    if (with_long == NULL) {
        (*env)->ExceptionClear(env);
        if (local) (*env)->DeleteLocalRef(env, local);
        return PyErr_Format(PyExc_RuntimeError, "org.pyj4.ndarray.NDArray or its handle entry points not found");
    }
    /* The predict path is optional: without the nn classes only the operators are installed. */
    jclass local_predictor = (*env)->FindClass(env, "org/pyj4/nn/training/Predictor");
    jmethodID predict = local_predictor ? (*env)->GetStaticMethodID(env, local_predictor, "predictIntoHandle", "(JJJJJJI)Z") : NULL;
    (*env)->ExceptionClear(env);
    jclass predictor = predict ? (jclass)(*env)->NewGlobalRef(env, local_predictor) : NULL;
    if (local_predictor) (*env)->DeleteLocalRef(env, local_predictor);
    PyObject* pop = PyObject_GetAttrString(released, "pop");
    PyObject* append = pop ? PyObject_GetAttrString(released, "append") : NULL;
    if (append == NULL) {
        Py_XDECREF(pop);
        (*env)->DeleteLocalRef(env, local);
        return NULL;
    }
    jclass cls = (jclass)(*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    Py_INCREF(type);
    Py_INCREF(released);
    Py_INCREF(is_started);
    Py_INCREF(close_py);
    S.vm = vm;
    S.cls = cls;
    S.binary = binary;
    S.matmul = matmul;
    S.close = close;
    S.with_double = with_double;
    S.with_long = with_long;
    S.predictor = predictor;
    S.predict = predictor ? predict : NULL;
    S.type = t;
    S.off_jo = off_jo, S.off_h = off_h, S.off_n = off_n, S.off_small = off_small;
    S.released = released;
    S.pop = pop;
    S.append = append;
    S.is_started = is_started;
    S.close_py = close_py;
    S.small_max = small_max;
    Py_RETURN_NONE;
}

/* ---- predict ---------------------------------------------------------------------------------- */

/* A C-contiguous float32 buffer of at least one dimension, or -1 (with no error set) when `o` is not one. */
static int float32_buffer(PyObject* o, Py_buffer* view, int writable) {
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0) {
        PyErr_Clear();
        return -1;
    }
    const char* f = view->format;
    if (f != NULL && (f[0] == '<' || f[0] == '=' || f[0] == '@')) f++;
    if (view->ndim < 1 || view->itemsize != 4 || f == NULL || f[0] != 'f' || f[1] != 0) {
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* predict_into(model_handle, x, out, batch_size) -> True when the model's predictions for x are in
 * out, False when Java declined (the handle names no live model, or x or out is not what the model
 * takes and gives: see Predictor.predictIntoHandle), None when this path cannot take the call (x or
 * out not a C-contiguous float32 buffer, a thread JPype has not attached, or a Java exception). On
 * False or None the caller takes the Python path, which raises whatever is wrong. */
static PyObject* predict_into(PyObject* mod, PyObject* const* args, Py_ssize_t nargs) {
    if (nargs != 4) return PyErr_Format(PyExc_TypeError, "predict_into expected 4 arguments. Received: %zd", nargs);
    long long handle = PyLong_AsLongLong(args[0]);
    long batch = PyLong_AsLong(args[3]);
    if (PyErr_Occurred()) return NULL;
    if (S.predict == NULL || batch < 1 || batch > 0x7fffffffL) Py_RETURN_NONE;
    Py_buffer x, out;
    if (float32_buffer(args[1], &x, 0) < 0) Py_RETURN_NONE;
    if (float32_buffer(args[2], &out, 1) < 0) {
        PyBuffer_Release(&x);
        Py_RETURN_NONE;
    }
    JNIEnv* env = NULL;
    jboolean done = JNI_FALSE, failed = JNI_TRUE;
    /* Both arrays have as many rows; an empty one is left to the Python path. */
    if (x.shape[0] > 0 && out.shape[0] == x.shape[0] && (env = env_or_null()) != NULL) {
        Py_BEGIN_ALLOW_THREADS  /* the exported buffers keep both arrays' memory in place meanwhile */
        done = (*env)->CallStaticBooleanMethod(env, S.predictor, S.predict, (jlong)handle, (jlong)(intptr_t)x.buf,
                                               (jlong)x.len, (jlong)x.shape[0], (jlong)(intptr_t)out.buf, (jlong)out.len, (jint)batch);
        failed = (*env)->ExceptionCheck(env);
        if (failed) (*env)->ExceptionClear(env);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&x);
    if (failed) Py_RETURN_NONE;
    return PyBool_FromLong(done == JNI_TRUE);
}

/* binary_method(code, reflected, fallback) -> a method for NDArray's class dict. */
static PyObject* binary_method(PyObject* mod, PyObject* args) {
    int code, reflected;
    PyObject* fallback;
    if (!PyArg_ParseTuple(args, "ipO", &code, &reflected, &fallback)) return NULL;
    if (code < 0) return PyErr_Format(PyExc_ValueError, "expected an op ordinal >= 0. Received: %d", code);
    return make_method(code, reflected, fallback);
}

/* matmul_method(fallback) -> NDArray.__matmul__. */
static PyObject* matmul_method(PyObject* mod, PyObject* fallback) { return make_method(CODE_MATMUL, 0, fallback); }

/* del_method(fallback) -> NDArray.__del__. */
static PyObject* del_method(PyObject* mod, PyObject* fallback) { return make_method(CODE_DEL, 0, fallback); }

static PyMethodDef methods[] = {
    {"install", install, METH_VARARGS, "install(ndarray_type, released, is_started, close_handle, libjvm_path, small_max)"},
    {"binary_method", binary_method, METH_VARARGS, "binary_method(op_ordinal, reflected, fallback) -> NDArray method"},
    {"matmul_method", matmul_method, METH_O, "matmul_method(fallback) -> NDArray.__matmul__"},
    {"del_method", del_method, METH_O, "del_method(fallback) -> NDArray.__del__"},
    {"predict_into", (PyCFunction)(void (*)(void))predict_into, METH_FASTCALL,
     "predict_into(model_handle, x, out, batch_size) -> True, False (declined) or None (not taken)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pyj4._accel", "The operator and predict fast paths in C.", -1, methods};

PyMODINIT_FUNC PyInit__accel(void) {
    if (PyType_Ready(&FastMethodType) < 0) return NULL;
    PyObject* m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&FastMethodType);
    if (PyModule_AddObject(m, "FastMethod", (PyObject*)&FastMethodType) < 0) {
        Py_DECREF(&FastMethodType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
