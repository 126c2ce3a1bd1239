"""Package discovery for the wheel, and the shipped rules inside it; the rest is pyproject.toml.

The rules stay in the top-level `rules/` folder of the repository (data, no Python); building
the wheel copies their YAML to `engine/rules/`, where engine.rulesets.registry.DEFAULT_RULES
finds them after a normal install (an editable install reads the checkout's `rules/`). A copy
at build time rather than a mapped package: setuptools' package_dir mapping of a data-only
folder was not carried into the wheel by every setuptools version (scripts/check-wheel.sh).
"""

import shutil
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

RULES = Path(__file__).resolve().parent / "rules"


class BuildWithRules(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "engine" / "rules"
        for file in sorted(RULES.rglob("*.yaml")):
            dest = target / file.relative_to(RULES)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest)


setup(
    packages=find_namespace_packages(
        include=["engine", "engine.*", "api", "api.*", "benchmarks", "benchmarks.*"],
        exclude=["*.__pycache__"],
    ),
    cmdclass={"build_py": BuildWithRules},
)
