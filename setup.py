"""Builds pyj4's optional C extension, pyj4._accel (the operator fast path, see pyj4/_accel.c).

Everything else is in pyproject.toml. The extension needs Python's and the JDK's headers (jni.h);
where either is missing the build skips it and pyj4 uses its Python path (optional=True).
"""
import glob
import os
import shutil

from setuptools import Extension, setup


def jni_includes():
    homes = []
    if os.environ.get("JAVA_HOME"):
        homes.append(os.environ["JAVA_HOME"])
    javac = shutil.which("javac")
    if javac:
        homes.append(os.path.dirname(os.path.dirname(os.path.realpath(javac))))
    homes += sorted(glob.glob("/usr/lib/jvm/*"), reverse=True)
    for home in homes:
        if os.path.isfile(os.path.join(home, "include", "jni.h")):
            return [os.path.join(home, "include"), os.path.join(home, "include", "linux")]
    return []


setup(
    ext_modules=[
        Extension(
            "pyj4._accel",
            sources=["pyj4/_accel.c"],
            include_dirs=jni_includes(),
            libraries=["dl"],
            extra_compile_args=["-O2", "-Wall", "-Wno-missing-field-initializers"],
            optional=True,
        )
    ]
)
