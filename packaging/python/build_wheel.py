#!/usr/bin/env python3
"""Writes the cocart-mock wheel around an already built binary (no Rust build here).

Usage: build_wheel.py BINARY OUT_DIR VERSION

The wheel holds the package `cocart_mock` (launcher API, console command, pytest plugin) with the
binary at cocart_mock/bin/cocart-mock, a RECORD with sha256 hashes, and a platform tag read from
the binary: manylinux_2_N_<arch> where 2.N is the newest glibc symbol version it needs.
"""
import base64
import hashlib
import platform
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "cocart_mock"
SUMMARY = ("A spec-faithful mock of a WooCommerce store running CoCart 4.9 and CoCart JWT "
           "Authentication 3.0.x, with test controls: the cocart-mock binary, a Python API and "
           "a pytest fixture.")


def platform_tag(binary: bytes) -> str:
    if not binary.startswith(b"\x7fELF"):
        raise SystemExit("build_wheel: only Linux (ELF) binaries are packaged here")
    machine = {0x3E: "x86_64", 0xB7: "aarch64"}.get(int.from_bytes(binary[18:20], "little"))
    if machine is None:
        raise SystemExit("build_wheel: unknown ELF machine")
    versions = {tuple(map(int, m)) for m in re.findall(rb"GLIBC_2\.(\d+)(?:\.(\d+))?", binary)
                for m in [tuple(x for x in m if x)]}
    if not versions:
        raise SystemExit("build_wheel: the binary names no glibc version (static? use a musllinux tag)")
    newest = max(versions)
    return f"manylinux_2_{newest[0]}_{machine}"


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    binary_path, out_dir, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    binary = binary_path.read_bytes()
    tag = f"py3-none-{platform_tag(binary)}"
    dist_info = f"{NAME}-{version}.dist-info"
    files = []  # (name, data, mode)
    for py in sorted((HERE / NAME).glob("*.py")):
        files.append((f"{NAME}/{py.name}", py.read_bytes(), 0o644))
    files.append((f"{NAME}/bin/cocart-mock", binary, 0o755))
    readme = (HERE / "README.md").read_text()
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: cocart-mock\nVersion: {version}\nSummary: {SUMMARY}\n"
        "License: MIT OR Apache-2.0\nRequires-Python: >=3.8\n"
        "Classifier: Framework :: Pytest\n"
        "Classifier: Operating System :: POSIX :: Linux\n"
        "Description-Content-Type: text/markdown\n\n" + readme)
    files.append((f"{dist_info}/METADATA", metadata.encode(), 0o644))
    wheel = (f"Wheel-Version: 1.0\nGenerator: cocart-rs packaging/python/build_wheel.py\n"
             f"Root-Is-Purelib: false\nTag: {tag}\n")
    files.append((f"{dist_info}/WHEEL", wheel.encode(), 0o644))
    entry_points = ("[console_scripts]\ncocart-mock = cocart_mock._cli:main\n\n"
                    "[pytest11]\ncocart_mock = cocart_mock.pytest_plugin\n")
    files.append((f"{dist_info}/entry_points.txt", entry_points.encode(), 0o644))
    record = [record_line(n, d) for n, d, _ in files] + [f"{dist_info}/RECORD,,"]
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode(), 0o644))

    out_dir.mkdir(parents=True, exist_ok=True)
    wheel_path = out_dir / f"{NAME}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(wheel_path)


if __name__ == "__main__":
    main()
