"""Builds and installs the Python package `meg` (python/meg and its extension meg._meg).

    /usr/bin/python3 -m pip install --no-build-isolation .      # or inside a virtualenv

Works offline with Debian's python3-setuptools, python3-pybind11/pybind11-dev and
python3-dev (scripts/deps.sh). The extension is built by CMake from this
repository, the same libraries as the CLI (Release, tests off), in the CMake tree
build-py/ ($MEG_PY_BUILD to use another one, e.g. the preset's build/); a tree
that already exists is reused with its own settings, so a second install only
recompiles what changed. CMAKE_BUILD_PARALLEL_LEVEL
sets the compile jobs (default: the number of cores).

The version is the one in `project(meg VERSION ...)` of CMakeLists.txt, which also
generates include/meg/version.hpp, so `meg.__version__` (from the extension) and
the installed distribution's version are the same.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"^project\(meg VERSION ([0-9]+\.[0-9]+\.[0-9]+)\b", text, re.MULTILINE)
    if not match:
        raise RuntimeError("setup.py: CMakeLists.txt has no 'project(meg VERSION X.Y.Z' line")
    return match.group(1)


class CMakeExtension(Extension):
    """An extension CMake builds (python/CMakeLists.txt), not setuptools."""

    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(os.environ.get("MEG_PY_BUILD") or ROOT / "build-py")
        if not build_dir.is_absolute():
            build_dir = ROOT / build_dir
        configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DMEG_BUILD_PYTHON=ON",
                     f"-DPython_EXECUTABLE={sys.executable}"]
        if not (build_dir / "CMakeCache.txt").exists():
            # A new tree: Release, the extension only. An existing tree (e.g. the preset's
            # build/) keeps its own settings and compiled libraries; the extension is added.
            configure += ["-DCMAKE_BUILD_TYPE=Release", "-DMEG_BUILD_TESTS=OFF",
                          "-DMEG_BUILD_BENCH=OFF"]
        try:
            import pybind11  # Debian's python3-pybind11 points at its CMake package

            configure.append(f"-Dpybind11_DIR={pybind11.get_cmake_dir()}")
        except ImportError:
            pass  # pybind11-dev's /usr/lib/cmake/pybind11 is found by CMake itself
        if not (build_dir / "CMakeCache.txt").exists() and shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_meg", "-j", jobs],
                       check=True)
        built = build_dir / "python" / "meg" / ("_meg" + sysconfig.get_config_var("EXT_SUFFIX"))
        if not built.is_file():
            raise RuntimeError(f"setup.py: CMake did not produce {built}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


# setuptools' scratch files (build/, egg-info) next to the CMake tree, not in build/
# (the CMake preset's tree) or python/.
SCRATCH = "build-py/setuptools"
os.makedirs(SCRATCH, exist_ok=True)

setup(
    version=project_version(),
    packages=["meg"],
    package_dir={"": "python"},
    ext_modules=[CMakeExtension("meg._meg")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
    options={"build": {"build_base": SCRATCH}, "egg_info": {"egg_base": SCRATCH}},
)
