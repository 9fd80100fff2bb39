"""Ships the top-level `resources/` inside the package, as `app/_resources`.

pyproject.toml holds everything else. This one mapping lives here because pyproject's
`packages.find` cannot add a package whose folder sits outside `app/`, and a wheel (pip, pipx)
holds only packages: without it an installed app has no icons and fails its self-test.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app*"]), "app._resources", "app._resources.icons",
              "app._resources.fonts"],
    package_dir={"app._resources": "resources"},
    package_data={"app._resources": ["*.svg", "*.desktop"],
                  "app._resources.icons": ["*.svg", "*.txt"],
                  "app._resources.fonts": ["*.otf", "*.txt"]},
)
