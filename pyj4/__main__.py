"""Command line: ``python -m pyj4 {classpath,version,info}``.

``python -m pyj4 classpath`` prints the class path (pyj4's jars, joined with ``os.pathsep``) that a
plain ``java``, ``javac``, ``scalac`` or ``spark-submit`` needs to use pyj4 without Python::

    java -cp "$(python -m pyj4 classpath):." MyService
    spark-submit --jars "$(python -m pyj4 classpath | tr : ,)" job.jar
"""
from __future__ import annotations

import argparse
import os
import sys


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("pyj4")
    except PackageNotFoundError:  # running from a source tree that was not pip-installed
        import pyj4

        return str(getattr(pyj4, "__version__", "unknown"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyj4", description="pyj4 command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_cp = sub.add_parser("classpath", help="print the class path (pyj4's jars) for java/scalac/spark-submit")
    p_cp.add_argument("--lines", action="store_true", help="one jar per line instead of os.pathsep-joined")
    sub.add_parser("version", help="print the pyj4 version")
    sub.add_parser("info", help="print version, Java runtime, jars and the active backend (starts the JVM)")
    args = parser.parse_args(argv)

    from pyj4 import _jvm

    if args.command == "classpath":
        try:
            jars = _jvm.classpath()
        except _jvm.JVMError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        print("\n".join(jars) if args.lines else os.pathsep.join(jars))
        return 0
    if args.command == "version":
        print(_version())
        return 0
    if args.command == "info":
        print(f"pyj4 {_version()}")
        print(f"python {sys.version.split()[0]} ({sys.executable})")
        try:
            jars = _jvm.classpath()
            print(f"jars {len(jars)} in {_jvm.JARS_DIR}")
            print(f"jvm {_jvm.jvm_path()}")
            _jvm.start()
            import jpype

            print(f"java {'.'.join(map(str, jpype.getJVMVersion()))}")
            print(f"jvm options {' '.join(_jvm.jvm_options() or [])}")
            import pyj4

            if hasattr(pyj4, "backends"):
                print(f"backend {pyj4.backend()} (available: {', '.join(pyj4.backends())})")
        except Exception as e:  # report, do not trace back
            print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
