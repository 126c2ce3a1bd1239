"""Package discovery for the wheel; everything else is in pyproject.toml.

Here rather than in pyproject.toml because pyproject's `packages.find` cannot add mapped
packages: the shipped rules stay in the top-level `rules/` folder of the repository and become
`engine/rules/` (YAML only, no Python) in the wheel, its subfolders packages of their own so
that setuptools ships their data instead of warning that it "would be ignored".
"""

from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(
    include=["engine", "engine.*", "api", "api.*", "benchmarks", "benchmarks.*"],
    exclude=["*.__pycache__"],
)
RULES = ["engine.rules"] + [
    f"engine.rules.{sub}"
    for sub in find_namespace_packages(where="rules", exclude=["*__pycache__*"])
]

setup(
    packages=[*PACKAGES, *RULES],
    package_dir={
        rules: "rules/" + rules.removeprefix("engine.rules").lstrip(".").replace(".", "/")
        for rules in RULES
    },
    package_data={rules: ["*.yaml"] for rules in RULES},
)
