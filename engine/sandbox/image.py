"""Building the sandbox image offline: wheelhouse, a debootstrapped base if needed, docker build."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import docker.errors

from engine.errors import SandboxError

PACKAGES = ("pip", "numpy", "pandas", "matplotlib")
PYTHON_VERSION = "3.11"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
KERNEL_LABEL = "glassbox.kernel.sha256"
STAGES = ("engine", "base", "wheelhouse", "image", "verify")

StageStatus = Literal["start", "info", "done", "skip", "fail"]


@dataclass(frozen=True, slots=True)
class BuildProgress:
    """One update of the build: a stage (one of STAGES), its status and a line of detail."""

    stage: str
    status: StageStatus
    detail: str = ""


ProgressFn = Callable[[BuildProgress], None]


@dataclass(frozen=True, slots=True)
class ImageStatus:
    """What Docker knows of the sandbox image."""

    present: bool
    image_id: str = ""
    size: int = 0
    kernel_sha256: str = ""
    stale: bool = False

    def problem(self, image: str) -> SandboxError | None:
        """Why the image cannot be used, with the fix; None when it can."""
        if not self.present:
            return image_missing(image)
        if self.stale:
            return SandboxError(f"The sandbox image {image} has an older kernel.",
                                hint="Rebuild it with `glassbox sandbox build`.")
        return None


def image_missing(image: str) -> SandboxError:
    """The error for an image Docker does not have."""
    return SandboxError(f"The sandbox image {image} is missing.",
                        hint="Build it with `glassbox sandbox build`.")


def sandbox_dir() -> Path:
    """The directory holding the Dockerfile and kernel.py (repo checkout or installed)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "sandbox", here.parent / "_sandbox"):
        if (candidate / "Dockerfile").is_file() and (candidate / "kernel.py").is_file():
            return candidate
    raise SandboxError("The sandbox Dockerfile is not installed with this copy of Glassbox.")


def kernel_sha256() -> str:
    """Hash of the kernel source the image must carry ('' when the source is not found)."""
    try:
        return hashlib.sha256((sandbox_dir() / "kernel.py").read_bytes()).hexdigest()
    except (SandboxError, OSError):
        return ""


def image_status(client: Any, image: str) -> ImageStatus:
    """Whether the image exists and carries the current kernel (blocking)."""
    try:
        found = client.images.get(image)
    except docker.errors.ImageNotFound:
        return ImageStatus(present=False)
    labels: dict[str, str] = (found.attrs.get("Config") or {}).get("Labels") or {}
    carried = labels.get(KERNEL_LABEL, "")
    expected = kernel_sha256()
    return ImageStatus(present=True, image_id=str(found.id), size=int(found.attrs.get("Size", 0)),
                       kernel_sha256=carried, stale=bool(expected) and carried != expected)


def wheelhouse_complete(wheelhouse: Path) -> bool:
    """True when every package the image needs has a wheel there already."""
    names = {p.name.split("-")[0].lower() for p in wheelhouse.glob("*.whl")}
    return all(pkg in names for pkg in PACKAGES)


def fill_wheelhouse(wheelhouse: Path) -> None:
    """`pip download` the image's packages as CPython 3.11 manylinux x86_64 wheels."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
           "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64",
           "--platform", "manylinux2014_x86_64", "--python-version", PYTHON_VERSION,
           "--implementation", "cp", "-d", str(wheelhouse), *PACKAGES]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise SandboxError("pip download of the sandbox packages failed: " + " ".join(tail))


def can_debootstrap() -> tuple[bool, str]:
    """Whether this process can make a Debian base itself, and why not if it cannot."""
    if os.geteuid() != 0:
        return False, "making a base image needs root (debootstrap); run the build as root"
    if shutil.which("debootstrap") is None:
        return False, "debootstrap is not installed (apt-get install debootstrap)"
    return True, ""


def debootstrap_base(client: Any, tag: str, progress: ProgressFn) -> None:
    """Debootstrap a minimal Debian with python3 and import it as `tag` (blocking)."""
    with tempfile.TemporaryDirectory(prefix="glassbox-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        cmd = ["debootstrap", "--variant=minbase", "--include=python3", DEBIAN_SUITE,
               str(rootfs), DEBIAN_MIRROR]
        progress(BuildProgress("base", "info", "debootstrap " + DEBIAN_SUITE + " (about 75 s)"))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        last = ""
        for line in proc.stdout:
            last = line.strip()
            if last.startswith("I: Retrieving") or last.startswith("I: Installing core"):
                progress(BuildProgress("base", "info", last[3:]))
        if proc.wait() != 0:
            raise SandboxError(f"debootstrap failed: {last}")
        tarball = Path(tmp) / "rootfs.tar"
        progress(BuildProgress("base", "info", f"importing the root filesystem as {tag}"))
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        repo, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "")
        client.api.import_image_from_file(str(tarball), repository=repo or tag,
                                          tag=version or "latest")


def docker_build(client: Any, context: Path, image: str, base_image: str,
                 progress: ProgressFn) -> None:
    """docker build the sandbox image from `context`, reporting each Dockerfile step."""
    args = {"BASE_IMAGE": base_image, "KERNEL_SHA256": kernel_sha256()}
    try:
        stream = client.api.build(path=str(context), tag=image, buildargs=args, rm=True,
                                  forcerm=True, decode=True, pull=False)
        for chunk in stream:
            if "error" in chunk:
                raise SandboxError(f"docker build failed: {str(chunk['error']).strip()}")
            line = str(chunk.get("stream", "")).strip()
            if line.startswith("Step "):
                progress(BuildProgress("image", "info", line))
    except docker.errors.DockerException as exc:
        raise SandboxError(f"docker build failed: {exc}") from None


def verify(client: Any, image: str) -> str:
    """Run the image once (no network) and return the versions it reports."""
    code = ("import sys, numpy, pandas, matplotlib; print(sys.version.split()[0], "
            "numpy.__version__, pandas.__version__, matplotlib.__version__)")
    try:
        out = client.containers.run(image, ["python3", "-c", code], remove=True,
                                    network_mode="none", user="1000:1000")
    except docker.errors.DockerException as exc:
        raise SandboxError(f"The built image does not run: {exc}") from None
    py, np_v, pd_v, mpl_v = out.decode().split()
    return f"python {py}, numpy {np_v}, pandas {pd_v}, matplotlib {mpl_v}"


def build_image(client: Any, image: str, base_image: str, progress: ProgressFn, *,
                wheelhouse: Path | None = None, allow_debootstrap: bool = True,
                allow_pull: bool = True) -> None:
    """Build the sandbox image end to end (blocking; run it in a thread from async code)."""
    stage = "engine"
    try:
        progress(BuildProgress(stage, "start", "Docker engine"))
        version = client.version().get("Version", "?")
        progress(BuildProgress(stage, "done", f"Docker {version}"))
        stage = "base"
        progress(BuildProgress(stage, "start", f"base image {base_image}"))
        _ensure_base(client, base_image, progress, allow_debootstrap, allow_pull)
        stage = "wheelhouse"
        source = sandbox_dir()
        wheels = wheelhouse or source / "wheelhouse"
        progress(BuildProgress(stage, "start", f"wheels in {wheels}"))
        if wheelhouse_complete(wheels):
            progress(BuildProgress(stage, "skip", "already downloaded"))
        else:
            fill_wheelhouse(wheels)
            progress(BuildProgress(stage, "done", f"{len(list(wheels.glob('*.whl')))} wheels"))
        stage = "image"
        progress(BuildProgress(stage, "start", f"docker build {image}"))
        with tempfile.TemporaryDirectory(prefix="glassbox-build-") as tmp:
            context = Path(tmp)
            shutil.copy2(source / "Dockerfile", context / "Dockerfile")
            shutil.copy2(source / "kernel.py", context / "kernel.py")
            shutil.copytree(wheels, context / "wheelhouse")
            docker_build(client, context, image, base_image, progress)
        progress(BuildProgress(stage, "done", image))
        stage = "verify"
        progress(BuildProgress(stage, "start", "run once without network"))
        progress(BuildProgress(stage, "done", verify(client, image)))
    except SandboxError as exc:
        progress(BuildProgress(stage, "fail", str(exc)))
        raise
    except docker.errors.DockerException as exc:
        progress(BuildProgress(stage, "fail", str(exc)))
        raise SandboxError(f"Building the sandbox image failed at '{stage}': {exc}") from None


def _ensure_base(client: Any, base_image: str, progress: ProgressFn,
                 allow_debootstrap: bool, allow_pull: bool) -> None:
    try:
        client.images.get(base_image)
        progress(BuildProgress("base", "skip", "present"))
        return
    except docker.errors.ImageNotFound:
        pass
    # Our own base name exists in no registry, so it is never pulled: it is made here.
    if allow_pull and not base_image.startswith("glassbox-base"):
        progress(BuildProgress("base", "info", f"not present; pulling {base_image}"))
        try:
            client.images.pull(base_image)
            progress(BuildProgress("base", "done", "pulled"))
            return
        except docker.errors.DockerException as exc:
            progress(BuildProgress("base", "info", f"cannot pull: {str(exc).splitlines()[0]}"))
    ok, why = can_debootstrap()
    if not allow_debootstrap or not ok:
        why = why or "making one with debootstrap is turned off"
        raise SandboxError(
            f"The base image {base_image} is neither present nor pullable, and {why}.",
            hint="Run `sudo glassbox sandbox build`, or set sandbox.base_image to a local image.")
    debootstrap_base(client, base_image, progress)
    progress(BuildProgress("base", "done", f"built {base_image} with debootstrap"))
