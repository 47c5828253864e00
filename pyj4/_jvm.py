"""The JVM that pyj4 runs in: its class path, its start, and an orderly shutdown.

pyj4's arrays and models live in a JVM started inside this Python process by JPype. The JVM starts
on first use with the jars that ship inside the package (``pyj4/_lib/jars/*.jar``), so no
environment variable is needed. Call :func:`start` before first use to choose options::

    import pyj4._jvm as jvm
    jvm.start(max_heap="2g", options=["-Dpyj4.backend=java"], classpath_extra=["my.jar"])

A JVM can be started only once per process: :func:`start` is idempotent, and raises
:class:`JVMError` when asked for options that differ from those the running JVM started with.

Other modules reach Java through :func:`java_package` / :func:`jclass` (which start the JVM if
needed) and register clean-up with :func:`on_shutdown`; those callbacks run in reverse order of
registration at interpreter exit, while the JVM is still alive.
"""
from __future__ import annotations

import atexit
import glob
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

# Importing jpype registers JPype's own atexit hook that stops the JVM. atexit runs hooks in
# reverse order of registration, so the hook this module registers below runs *before* it.
import jpype

__all__ = [
    "JVMError",
    "JARS_DIR",
    "REQUIRED_OPTIONS",
    "MIN_JAVA_VERSION",
    "start",
    "ensure_started",
    "is_started",
    "classpath",
    "jvm_path",
    "jvm_options",
    "java_package",
    "jclass",
    "on_shutdown",
]

JARS_DIR = Path(__file__).resolve().parent / "_lib" / "jars"

# Always passed to the JVM. Arrow Java needs java.nio opened on Java 17; native backends use
# JNI (and later the foreign-memory API), which --enable-native-access allows without warnings;
# deep recursion in graph code wants larger thread stacks than the 1 MiB default.
REQUIRED_OPTIONS: tuple[str, ...] = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Xss8m",
)

MIN_JAVA_VERSION = 17

# A class every pyj4 class path has (a stable name of the public Java API).
_PROBE_CLASS = "org.pyj4.ndarray.NDArray"

_OPTION_NAMES = ("max_heap", "options", "classpath_extra", "properties", "jvm_path")

_SIZE_RE = re.compile(r"^([1-9][0-9]*)([kmgt]?)$")
_SIZE_FACTOR = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class JVMError(RuntimeError):
    """The JVM could not be found, started, or configured as asked."""


_lock = threading.RLock()
_config: dict[str, Any] | None = None  # normalised options pyj4 started the JVM with
_args: list[str] | None = None  # the JVM arguments actually used
_external_checked = False  # a JVM started outside pyj4 was checked for pyj4's classes
_failed: str | None = None  # why a start failed (HotSpot cannot be created twice in a process)
_shutdown_callbacks: list[Callable[[], Any]] = []


# ---------------------------------------------------------------------------------------------
# Class path and JVM location


def classpath() -> list[str]:
    """The pyj4 jars (absolute paths, sorted) that make up the class path.

    These are exactly what a plain ``java``/``scalac``/``spark-submit`` needs (``python -m pyj4
    classpath`` prints them joined with ``os.pathsep``); native libraries travel inside them.
    """
    jars = sorted(str(p) for p in JARS_DIR.glob("*.jar") if p.is_file())
    if not jars:
        raise JVMError(
            f"pyj4 found no jars in {JARS_DIR}. The Java part of pyj4 has not been built: run "
            "`make demo` (or `gradle copyRuntimeJars`) in the pyj4 source tree, then try again."
        )
    return jars


def jvm_path(explicit: str | os.PathLike[str] | None = None) -> str:
    """Path of the ``libjvm`` shared library to load.

    Order: ``explicit``; JPype's default (JAVA_HOME, then the ``java`` on PATH, then the usual
    places); ``$JAVA_HOME/lib/server/libjvm.so``; ``/usr/lib/jvm/*17*``; any ``/usr/lib/jvm/*``.
    """
    if explicit is not None:
        path = os.fspath(explicit)
        if not os.path.isfile(path):
            raise JVMError(f"expected jvm_path to be an existing libjvm file. Received: jvm_path={path!r}")
        return path
    try:
        path = jpype.getDefaultJVMPath()
        if path and os.path.isfile(path):
            return path
    except Exception:  # JVMNotFoundException and friends: fall back to our own search
        pass
    candidates: list[str] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.append(os.path.join(java_home, "lib", "server", "libjvm.so"))
    candidates += sorted(glob.glob("/usr/lib/jvm/*17*/lib/server/libjvm.so"))
    candidates += sorted(glob.glob("/usr/lib/jvm/*/lib/server/libjvm.so"), reverse=True)
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise JVMError(
        "pyj4 found no Java runtime (libjvm.so). Install a JDK 17 or newer "
        "(Debian: apt-get install openjdk-17-jdk-headless), set JAVA_HOME, or pass jvm_path=."
    )


# ---------------------------------------------------------------------------------------------
# Options


def _heap_bytes(value: str) -> int:
    m = _SIZE_RE.match(value)
    assert m is not None
    return int(m.group(1)) * _SIZE_FACTOR[m.group(2)]


def _normalise(given: Mapping[str, Any]) -> dict[str, Any]:
    """Validate start() keyword arguments; return them in a canonical, comparable form."""
    unknown = sorted(set(given) - set(_OPTION_NAMES))
    if unknown:
        raise TypeError(
            f"start() got unexpected keyword argument(s) {', '.join(unknown)}; "
            f"expected some of: {', '.join(_OPTION_NAMES)}"
        )
    out: dict[str, Any] = {}

    if "max_heap" in given:
        v = given["max_heap"]
        if v is None:
            out["max_heap"] = None
        elif isinstance(v, bool) or not isinstance(v, (int, str)):
            raise TypeError(f"expected max_heap to be a size like '2g' or '512m'. Received: max_heap={v!r}")
        else:
            s = str(v).strip().lower()
            if not _SIZE_RE.match(s) or _heap_bytes(s) < (2 << 20):
                raise ValueError(
                    f"expected max_heap to be a size like '2g' or '512m' (at least 2m). Received: max_heap={v!r}"
                )
            out["max_heap"] = s

    if "options" in given:
        v = given["options"]
        if v is None:
            v = ()
        if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
            raise TypeError(f"expected options to be a list of JVM option strings. Received: options={v!r}")
        opts = tuple(v)
        for o in opts:
            if not isinstance(o, str) or not o.startswith("-") or o.strip() != o or o == "-":
                raise ValueError(
                    f"expected each JVM option to be a string starting with '-' (e.g. '-Dkey=value'). "
                    f"Received: option={o!r}"
                )
            if o in ("-cp", "-classpath", "--class-path") or o.startswith("-Djava.class.path="):
                raise ValueError(f"set the class path with classpath_extra=[...], not options. Received: option={o!r}")
            if o.startswith("-Xmx") and given.get("max_heap") is not None:
                raise ValueError(f"max_heap and an -Xmx option both given. Received: max_heap={given['max_heap']!r}, option={o!r}")
        out["options"] = opts

    if "classpath_extra" in given:
        v = given["classpath_extra"]
        if v is None:
            v = ()
        if isinstance(v, (str, bytes, os.PathLike)):
            v = (v,)
        if not isinstance(v, Iterable):
            raise TypeError(f"expected classpath_extra to be a list of paths. Received: classpath_extra={v!r}")
        entries = []
        for p in v:
            if not isinstance(p, (str, os.PathLike)):
                raise TypeError(f"expected classpath_extra entries to be paths. Received: entry={p!r}")
            s = os.fspath(p)
            if "*" not in s and not os.path.exists(s):
                raise FileNotFoundError(f"classpath_extra entry does not exist. Received: entry={s!r}")
            entries.append(s if "*" in s else os.path.abspath(s))
        out["classpath_extra"] = tuple(entries)

    if "properties" in given:
        v = given["properties"] or {}
        if not isinstance(v, Mapping):
            raise TypeError(f"expected properties to be a dict of system properties. Received: properties={v!r}")
        for k in v:
            if not isinstance(k, str) or not k or "=" in k or k.strip() != k:
                raise ValueError(f"expected property names to be non-empty strings without '='. Received: name={k!r}")
        out["properties"] = tuple(sorted((k, str(val)) for k, val in v.items()))

    if "jvm_path" in given:
        v = given["jvm_path"]
        out["jvm_path"] = None if v is None else os.path.abspath(os.fspath(v))

    return out


_DEFAULTS: dict[str, Any] = {
    "max_heap": None,
    "options": (),
    "classpath_extra": (),
    "properties": (),
    "jvm_path": None,
}


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "max_heap" and a is not None and b is not None:
        return _heap_bytes(a) == _heap_bytes(b)
    return a == b


# JPype runs a full Python garbage collection after every Java one (to break cycles between the two
# heaps): about 0.1 s with torch imported. G1 starts with a young generation of a few MB, so a loop
# of predictions (a few KB of Java garbage each) paid for one every couple of thousand calls. This
# minimum young generation (G1 still grows it) makes them several times rarer. Only when the heap
# may be large enough: a smaller max_heap keeps the JVM's own sizing; options given later win.
YOUNG_GENERATION_OPTION = "-XX:NewSize=64m"


def _build_args(cfg: Mapping[str, Any]) -> list[str]:
    args = list(REQUIRED_OPTIONS)
    if cfg["max_heap"] is None or _heap_bytes(cfg["max_heap"]) >= 512 << 20:
        args.append(YOUNG_GENERATION_OPTION)
    if cfg["max_heap"] is not None:
        args.append(f"-Xmx{cfg['max_heap']}")
    args += [f"-D{k}={v}" for k, v in cfg["properties"]]
    args += list(cfg["options"])
    return args


# ---------------------------------------------------------------------------------------------
# Start


def start(**jvm_options: Any) -> None:
    """Start the JVM with pyj4's jars, or check that the running one matches.

    Keyword options (all optional):
      max_heap: maximum Java heap, e.g. ``"2g"`` or ``"512m"`` (``-Xmx``). Arrays live off-heap,
          so the heap mostly holds small objects.
      options: extra JVM options, e.g. ``["-Dpyj4.backend=java", "-ea"]``.
      classpath_extra: extra jars or directories placed after pyj4's jars.
      properties: dict of Java system properties (``-Dkey=value``).
      jvm_path: the libjvm shared library to load (default: see :func:`jvm_path`).

    Idempotent: once running, ``start()`` with no options does nothing, and options that equal
    those the JVM started with are accepted. Options that differ raise :class:`JVMError`: a JVM
    cannot be restarted inside a process.
    """
    global _config, _args, _failed
    requested = _normalise(jvm_options)
    with _lock:
        if jpype.isJVMStarted():
            if _config is None:  # started outside pyj4, e.g. by jpype.startJVM
                if requested:
                    raise JVMError(
                        "the JVM was started outside pyj4 (jpype.startJVM), so pyj4 cannot apply "
                        f"options {sorted(requested)}; start it through pyj4._jvm.start(...) instead"
                    )
                _check_external()
                return
            diffs = [
                f"{k}={requested[k]!r} (running: {_config[k]!r})"
                for k in requested
                if not _same(k, requested[k], _config[k])
            ]
            if diffs:
                raise JVMError(
                    "the JVM is already running with different options and cannot be restarted in "
                    f"this process. Received: {'; '.join(diffs)}. Call pyj4._jvm.start(...) before "
                    "anything else uses pyj4, or run a new process."
                )
            return
        if _failed is not None:
            raise JVMError(f"the JVM failed to start earlier in this process and cannot be retried: {_failed}")

        cfg = dict(_DEFAULTS)
        cfg.update(requested)
        cp = classpath() + list(cfg["classpath_extra"])
        path = jvm_path(cfg["jvm_path"])
        args = _build_args(cfg)
        try:
            jpype.startJVM(*args, jvmpath=path, classpath=cp, convertStrings=False)
        except (RuntimeError, OSError) as e:
            _failed = f"{type(e).__name__}: {e}; jvm_path={path!r}, options={args!r}"
            raise JVMError(
                f"the JVM did not start ({e}); the JVM's own reason is printed on stderr. "
                f"Received: jvm_path={path!r}, options={args!r}"
            ) from e
        _config, _args = cfg, args
        _check_version()


def ensure_started() -> None:
    """Start the JVM with default options unless it is running already (never raises on options)."""
    if jpype.isJVMStarted() and (_config is not None or _external_checked):
        return
    start()


def is_started() -> bool:
    """Whether the JVM is running in this process."""
    return bool(jpype.isJVMStarted())


def jvm_options() -> list[str] | None:
    """The JVM options pyj4 started the JVM with (None if pyj4 did not start it)."""
    return None if _args is None else list(_args)


def _check_version() -> None:
    version = tuple(jpype.getJVMVersion())
    if version and version[0] < MIN_JAVA_VERSION:
        home = str(jpype.JClass("java.lang.System").getProperty("java.home"))
        raise JVMError(
            f"pyj4 needs Java {MIN_JAVA_VERSION} or newer. Received: Java "
            f"{'.'.join(map(str, version))} from {home}; set JAVA_HOME or pass jvm_path="
        )


def _check_external() -> None:
    global _external_checked
    if _external_checked:
        return
    _check_version()
    try:
        jpype.JClass(_PROBE_CLASS)
    except Exception as e:
        raise JVMError(
            "the JVM was started outside pyj4 without pyj4's jars on its class path: pass "
            "classpath=pyj4._jvm.classpath() to jpype.startJVM, or let pyj4 start the JVM"
        ) from e
    _external_checked = True


# ---------------------------------------------------------------------------------------------
# Access to Java


def java_package() -> Any:
    """``jpype.JPackage("org").pyj4``, starting the JVM if needed (e.g. ``java_package().ndarray.NDArray``)."""
    ensure_started()
    return jpype.JPackage("org").pyj4


def jclass(name: str) -> Any:
    """``jpype.JClass(name)`` for a fully qualified name, starting the JVM if needed."""
    ensure_started()
    return jpype.JClass(name)


# ---------------------------------------------------------------------------------------------
# Shutdown


def on_shutdown(callback: Callable[[], Any]) -> Callable[[], Any]:
    """Register ``callback`` to run at interpreter exit while the JVM is still alive.

    Callbacks run in reverse order of registration (so a module registered after another is
    torn down before it), only if the JVM was started; an exception in one is reported on
    stderr and does not stop the others. Usable as a decorator.
    """
    if not callable(callback):
        raise TypeError(f"expected a callable. Received: callback={callback!r}")
    with _lock:
        _shutdown_callbacks.append(callback)
    return callback


def _run_shutdown_callbacks() -> None:
    with _lock:
        callbacks = list(reversed(_shutdown_callbacks))
        _shutdown_callbacks.clear()
    if not jpype.isJVMStarted():
        return
    for cb in callbacks:
        try:
            cb()
        except BaseException as e:  # noqa: BLE001 - keep shutting down
            print(f"pyj4: shutdown callback {cb!r} failed: {type(e).__name__}: {e}", file=sys.stderr)


atexit.register(_run_shutdown_callbacks)
