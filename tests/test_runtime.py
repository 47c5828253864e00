"""The runtime: jars, class path, JVM start and options, shutdown order, the command line.

Starting a JVM with particular options can happen once per process, so those tests run a fresh
Python in a subprocess; the rest share the session's JVM (started with default options).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from pyj4 import _jvm

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(_jvm.__file__).resolve().parent


def run_python(code: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (the same one running the tests) from directory `cwd`."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def check(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    return proc.stdout


def find_jdk_tool(name: str) -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.isfile(os.path.join(java_home, "bin", name)):
        return os.path.join(java_home, "bin", name)
    return shutil.which(name)


# ---------------------------------------------------------------------------------------------
# jars and class path


def test_classpath_lists_existing_jars():
    cp = _jvm.classpath()
    assert cp, "classpath() is empty"
    assert cp == sorted(cp)
    for jar in cp:
        assert os.path.isabs(jar), jar
        assert jar.endswith(".jar"), jar
        assert os.path.isfile(jar), jar
        assert Path(jar).parent == _jvm.JARS_DIR
    assert _jvm.JARS_DIR == PACKAGE_DIR / "_lib" / "jars"


def test_classpath_contains_the_public_java_api():
    wanted = "org/pyj4/ndarray/NDArray.class"
    holders = [jar for jar in _jvm.classpath() if wanted in zipfile.ZipFile(jar).namelist()]
    assert len(holders) == 1, f"expected exactly one jar with {wanted}. Received: {holders}"


def test_classpath_without_jars_says_how_to_build(monkeypatch, tmp_path):
    monkeypatch.setattr(_jvm, "JARS_DIR", tmp_path / "jars")
    with pytest.raises(_jvm.JVMError, match=r"make demo"):
        _jvm.classpath()


def test_cli_classpath_from_another_directory(tmp_path):
    out = check(subprocess.run([sys.executable, "-m", "pyj4", "classpath"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=120))
    assert out.strip() == os.pathsep.join(_jvm.classpath())
    lines = check(subprocess.run([sys.executable, "-m", "pyj4", "classpath", "--lines"], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=120))
    assert lines.split() == _jvm.classpath()


def test_cli_version():
    out = check(subprocess.run([sys.executable, "-m", "pyj4", "version"], capture_output=True, text=True, timeout=120))
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", out.strip()), out


def test_cli_without_command_prints_help():
    proc = subprocess.run([sys.executable, "-m", "pyj4"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "classpath" in proc.stdout


def test_import_from_any_directory(tmp_path):
    out = check(run_python("import pyj4._jvm as j; print(j.__file__)", cwd=tmp_path))
    assert Path(out.strip()).resolve() == PACKAGE_DIR / "_jvm.py"


def test_plain_java_runs_with_printed_classpath(tmp_path):
    javac, java = find_jdk_tool("javac"), find_jdk_tool("java")
    if javac is None or java is None:
        pytest.skip("no JDK (javac/java) on PATH or in JAVA_HOME")
    cp = check(subprocess.run([sys.executable, "-m", "pyj4", "classpath"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)).strip()
    (tmp_path / "Hello.java").write_text(textwrap.dedent("""\
        import org.pyj4.ndarray.NDArray;

        public class Hello {
            public static void main(String[] args) {
                NDArray x = NDArray.create(new float[] {1f, 2f, 3f}, 3);
                float sum = 0f;
                for (float v : x.toFloatArray()) sum += v;
                System.out.println("sum=" + sum + " shape=" + java.util.Arrays.toString(x.shape()));
            }
        }
        """))
    check(subprocess.run([javac, "--release", "17", "-cp", cp, "-d", str(tmp_path), str(tmp_path / "Hello.java")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300))
    out = check(subprocess.run([java, *_jvm.REQUIRED_OPTIONS, "-cp", cp + os.pathsep + str(tmp_path), "Hello"],
                               cwd=tmp_path, capture_output=True, text=True, timeout=300))
    assert out.strip() == "sum=6.0 shape=[3]"


# ---------------------------------------------------------------------------------------------
# start() in this process (default options)


def test_start_is_idempotent():
    _jvm.start()
    _jvm.start()
    _jvm.ensure_started()
    assert _jvm.is_started()
    import jpype

    assert jpype.getJVMVersion()[0] >= _jvm.MIN_JAVA_VERSION
    args = list(jpype.JClass("java.lang.management.ManagementFactory").getRuntimeMXBean().getInputArguments())
    for option in _jvm.REQUIRED_OPTIONS:
        assert option in [str(a) for a in args]
    # Options equal to the running ones are accepted; different ones are not.
    _jvm.start(max_heap=None, options=[], classpath_extra=[], properties={})
    with pytest.raises(_jvm.JVMError, match=r"already running with different options.*max_heap"):
        _jvm.start(max_heap="64g")
    with pytest.raises(_jvm.JVMError, match=r"already running with different options"):
        _jvm.start(options=["-Dpyj4.some.option=1"])


def test_java_nio_is_open_to_the_class_path():
    _jvm.ensure_started()
    import jpype

    unnamed = jpype.JClass("java.lang.ClassLoader").getSystemClassLoader().getUnnamedModule()
    assert jpype.JClass("java.nio.ByteBuffer").class_.getModule().isOpen("java.nio", unnamed)


def test_java_package_and_jclass():
    nd = _jvm.jclass("org.pyj4.ndarray.NDArray")
    assert _jvm.java_package().ndarray.NDArray == nd
    assert str(nd.class_.getName()) == "org.pyj4.ndarray.NDArray"


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"max_heaps": "2g"}, TypeError, r"unexpected keyword argument.*max_heaps"),
        ({"max_heap": "lots"}, ValueError, r"max_heap='lots'"),
        ({"max_heap": "1k"}, ValueError, r"at least 2m"),
        ({"max_heap": 2.5}, TypeError, r"max_heap=2.5"),
        ({"options": "-Xmx1g"}, TypeError, r"list of JVM option strings"),
        ({"options": ["Xmx1g"]}, ValueError, r"starting with '-'.*'Xmx1g'"),
        ({"options": ["-cp", "x.jar"]}, ValueError, r"classpath_extra"),
        ({"options": ["-Djava.class.path=x.jar"]}, ValueError, r"classpath_extra"),
        ({"max_heap": "1g", "options": ["-Xmx2g"]}, ValueError, r"max_heap and an -Xmx option"),
        ({"classpath_extra": ["/nonexistent/pyj4-extra.jar"]}, FileNotFoundError, r"pyj4-extra\.jar"),
        ({"properties": {"a=b": "c"}}, ValueError, r"without '='"),
        ({"properties": ["x"]}, TypeError, r"dict of system properties"),
    ],
)
def test_start_rejects_bad_options(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        _jvm.start(**kwargs)


def test_on_shutdown_rejects_non_callables():
    with pytest.raises(TypeError, match="callable"):
        _jvm.on_shutdown("not callable")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# start() with options, and shutdown, in fresh processes


def test_start_with_options_in_fresh_process(tmp_path):
    extra = tmp_path / "extra-classes"
    extra.mkdir()
    out = check(run_python(f"""
        import jpype
        import pyj4._jvm as j
        assert not j.is_started()
        j.start(max_heap="256m", properties={{"pyj4.test.prop": "x y"}}, options=["-Dpyj4.test.opt=1"],
                classpath_extra=[{str(extra)!r}])
        j.start(max_heap="256M", properties={{"pyj4.test.prop": "x y"}})   # same options: fine
        j.start()                                                          # no options: fine
        System = jpype.JClass("java.lang.System")
        max_mem = jpype.JClass("java.lang.Runtime").getRuntime().maxMemory()
        assert 128 << 20 < max_mem <= 256 << 20, max_mem
        assert str(System.getProperty("pyj4.test.prop")) == "x y"
        assert str(System.getProperty("pyj4.test.opt")) == "1"
        assert {str(extra)!r} in str(System.getProperty("java.class.path")).split(":")
        for bad in (dict(max_heap="512m"), dict(max_heap=None), dict(classpath_extra=[])):
            try:
                j.start(**bad)
            except j.JVMError as e:
                assert "different options" in str(e), e
            else:
                raise AssertionError("no error for " + repr(bad))
        print("ok", " ".join(j.jvm_options()))
    """, cwd=tmp_path))
    assert out.startswith("ok ")
    assert "-Xmx256m" in out.split()


def test_failed_start_is_reported_and_not_retried(tmp_path):
    out = check(run_python("""
        import pyj4._jvm as j
        for attempt in range(2):
            try:
                j.start(options=["-XX:+ThisOptionDoesNotExist"])
            except j.JVMError as e:
                print("attempt", attempt, "JVMError:", e)
        print("still alive")
    """, cwd=tmp_path))
    assert "attempt 0 JVMError: the JVM did not start" in out
    assert "attempt 1 JVMError: the JVM failed to start earlier" in out
    assert "still alive" in out


def test_jvm_started_outside_pyj4(tmp_path):
    out = check(run_python("""
        import jpype
        import pyj4._jvm as j
        jpype.startJVM(classpath=j.classpath(), convertStrings=False)
        j.ensure_started()
        j.start()
        assert j.jclass("org.pyj4.ndarray.NDArray") is not None
        try:
            j.start(max_heap="1g")
        except j.JVMError as e:
            print("refused:", e)
    """, cwd=tmp_path))
    assert "refused: the JVM was started outside pyj4" in out

    out = check(run_python("""
        import jpype
        import pyj4._jvm as j
        jpype.startJVM(classpath=[], convertStrings=False)
        try:
            j.ensure_started()
        except j.JVMError as e:
            print("refused:", e)
    """, cwd=tmp_path))
    assert "without pyj4's jars on its class path" in out


def test_shutdown_callbacks_run_in_reverse_order_while_jvm_alive(tmp_path):
    proc = run_python("""
        import jpype
        import pyj4._jvm as j

        def make(name, fail=False):
            def callback():
                alive = jpype.isJVMStarted() and str(jpype.JClass("java.lang.System").getProperty("java.version"))
                print("callback", name, "jvm", bool(alive), flush=True)
                if fail:
                    raise RuntimeError("boom in " + name)
            return callback

        j.on_shutdown(make("first"))
        j.on_shutdown(make("second", fail=True))
        j.on_shutdown(make("third"))
        j.start()
        print("main done", flush=True)
    """, cwd=tmp_path)
    out = check(proc)
    assert out.splitlines() == [
        "main done",
        "callback third jvm True",
        "callback second jvm True",
        "callback first jvm True",
    ]
    assert "boom in second" in proc.stderr


def test_shutdown_callbacks_skipped_when_jvm_never_started(tmp_path):
    out = check(run_python("""
        import pyj4._jvm as j
        j.on_shutdown(lambda: print("should not run"))
        print("done")
    """, cwd=tmp_path))
    assert out.split() == ["done"]


# ---------------------------------------------------------------------------------------------
# the example `make demo` runs


@pytest.mark.slow
def test_quickstart_example_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "examples" / "quickstart.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    check(proc)
