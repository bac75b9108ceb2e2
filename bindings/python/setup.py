"""Builds bowlby._core, the C++ library (the repository's include/) bound with pybind11.

The extension compiles the library's headers and three files of the `bowlby` command-line
tool (examples/cli: the item-span parser, the reliability JSON and table writers, the
classification method dispatch), so that the package reports what the tool reports.
"""
import os
import sys
from pathlib import Path

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
INCLUDE = REPO / "include"
CLI = REPO / "examples" / "cli"
EIGEN = Path(os.environ.get("BOWLBY_EIGEN_INCLUDE", "/usr/include/eigen3"))

if not (INCLUDE / "bowlby" / "bowlby.hpp").is_file() or not (CLI / "cli.cpp").is_file():
    sys.exit(
        f"bowlby: the library's headers ({INCLUDE}/bowlby) or the tool's sources ({CLI}) are not there. "
        "Build the package from a checkout of the bowlby repository: "
        "pip install --no-build-isolation --no-index ./bindings/python"
    )
if not (EIGEN / "Eigen" / "Core").is_file():
    sys.exit(f"bowlby: Eigen 3.4 is not at {EIGEN} (Debian: apt-get install libeigen3-dev, "
             "or set BOWLBY_EIGEN_INCLUDE)")


core = Pybind11Extension(
    "bowlby._core",
    # tool_*.cpp include the tool's sources of those names from examples/cli.
    sources=[f"src/_core/{f}.cpp" for f in ("module", "keys", "score", "reliability", "classify", "couples", "tool_cli",
                                            "tool_faults", "tool_reliability_output", "tool_classify_setup", "tool_key_file")],
    include_dirs=[str(INCLUDE), str(EIGEN), str(CLI), str(HERE / "src" / "_core")],
    cxx_std=17,
    extra_compile_args=["-O2"],
    extra_link_args=["-pthread"],
)

setup(ext_modules=[core], cmdclass={"build_ext": build_ext})
