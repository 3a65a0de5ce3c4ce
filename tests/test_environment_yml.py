"""environment.yml (conda) asks for every dependency pyproject.toml declares, at a bound pyproject accepts."""
from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[1]

# pyproject (PyPI) name -> conda-forge name, where they differ
CONDA_NAMES = {"opencv-python-headless": "py-opencv", "matplotlib": "matplotlib-base"}
# installed from PyPI in the pip: section (see the comment at the top of environment.yml)
FROM_PIP = {"tensorflow", "tensorflow-cpu", "keras", "fastapi-offline", "playwright"}


def read_environment() -> dict:
    """The parts of environment.yml this project uses: name, channels, conda specs and pip lines.

    A deliberately small reader (PyYAML is not a dependency): top-level keys, ``- item`` lists,
    and the one nested ``- pip:`` list; comments are dropped.
    """
    result: dict = {"channels": [], "conda": [], "pip": []}
    section = None
    for raw in (REPO_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if not line.startswith(" "):
            key, _, value = line.partition(":")
            section = key.strip()
            if value.strip():
                result[section] = value.strip()
            continue
        item = line.strip().removeprefix("- ").strip()
        if item == "pip:":
            section = "pip"
        elif section == "dependencies":
            result["conda"].append(item)
        elif section in ("channels", "pip"):
            result[section].append(item)
    return result


def pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def lower_bound(specifier: SpecifierSet) -> Version | None:
    bounds = [Version(spec.version) for spec in specifier if spec.operator in (">=", "==", "~=", ">")]
    return max(bounds) if bounds else None


def conda_specs() -> dict[str, SpecifierSet]:
    return {canonicalize_name(r.name): r.specifier for r in map(Requirement, read_environment()["conda"])}


def pip_requirements() -> list[Requirement]:
    return [Requirement(line) for line in read_environment()["pip"] if not line.startswith("-")]


def declared_requirements() -> list[Requirement]:
    project = pyproject()
    extras = project["optional-dependencies"]
    return [Requirement(text) for text in [*project["dependencies"], *extras["test"], *extras["notebook"]]]


def test_environment_uses_conda_forge_and_installs_digitrec_with_its_extras():
    environment = read_environment()
    assert environment["name"] == "digitrec"
    assert environment["channels"][0] == "conda-forge"
    assert environment["pip"][-1] == "-e .[test,notebook]"
    assert "pip" in conda_specs()


def test_python_version_matches_requires_python():
    required = lower_bound(SpecifierSet(pyproject()["requires-python"]))
    assert lower_bound(conda_specs()["python"]) >= required


def test_every_declared_dependency_is_in_environment_yml_with_a_compatible_lower_bound():
    conda = conda_specs()
    pip = {(canonicalize_name(r.name), str(r.marker)): r for r in pip_requirements()}
    for requirement in declared_requirements():
        name = canonicalize_name(requirement.name)
        if name in FROM_PIP:
            ours = pip.get((name, str(requirement.marker)))
            assert ours is not None, f"{requirement} is missing from the pip: section of environment.yml"
            assert ours.specifier == requirement.specifier, f"environment.yml pins {ours}, pyproject.toml {requirement}"
            continue
        conda_name = canonicalize_name(CONDA_NAMES.get(name, name))
        assert conda_name in conda, f"{requirement.name} (conda-forge: {conda_name}) is missing from environment.yml"
        wanted, ours = lower_bound(requirement.specifier), lower_bound(conda[conda_name])
        if wanted is not None:
            assert ours is not None and ours >= wanted, (
                f"environment.yml asks for {conda_name}{conda[conda_name]}, pyproject.toml for {requirement}"
            )


def test_environment_yml_asks_for_nothing_pyproject_does_not_declare():
    declared = {canonicalize_name(r.name) for r in declared_requirements()}
    declared |= {canonicalize_name(CONDA_NAMES.get(name, name)) for name in declared}
    extra = set(conda_specs()) - declared - {"python", "pip"}
    extra |= {canonicalize_name(r.name) for r in pip_requirements()} - declared
    assert not extra, f"environment.yml has packages pyproject.toml does not declare: {sorted(extra)}"
