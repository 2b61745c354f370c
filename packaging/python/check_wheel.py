#!/usr/bin/env python3
"""Checks a cocart-mock wheel: every file is in RECORD with its sha256 and size (and RECORD lists
nothing else), the binary is executable, the entry points are there, and the platform tag names
the newest glibc the binary needs, which this machine has.

Usage: check_wheel.py WHEEL
"""
import base64
import hashlib
import os
import re
import sys
import zipfile


def main():
    path = sys.argv[1]
    errors = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = {}
        for line in z.read(record_name).decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            listed[name] = (digest, size)
        if set(listed) != names:
            errors.append(f"RECORD and the archive differ: {sorted(set(listed) ^ names)}")
        for name in names - {record_name}:
            data = z.read(name)
            want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            if listed.get(name) != (want, str(len(data))):
                errors.append(f"{name}: RECORD says {listed.get(name)}, the file is {want},{len(data)}")
        binary = z.read("cocart_mock/bin/cocart-mock")
        mode = z.getinfo("cocart_mock/bin/cocart-mock").external_attr >> 16
        if not mode & 0o111:
            errors.append("the binary is not executable")
        ep = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        for needed in ("cocart-mock = cocart_mock._cli:main", "cocart_mock = cocart_mock.pytest_plugin"):
            if needed not in ep:
                errors.append(f"entry_points.txt lacks {needed!r}")
        wheel = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
    tag = re.search(r"^Tag: py3-none-manylinux_2_(\d+)_(\w+)$", wheel, re.M)
    if not tag or not path.endswith(f"-py3-none-manylinux_2_{tag.group(1)}_{tag.group(2)}.whl"):
        errors.append(f"WHEEL tag and file name disagree: {wheel!r}")
    else:
        needs = max(int(m) for m in re.findall(rb"GLIBC_2\.(\d+)", binary))
        if int(tag.group(1)) != needs:
            errors.append(f"tag says glibc 2.{tag.group(1)}, the binary needs 2.{needs}")
        have = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
        if int(have.split(".")[1]) < needs:
            errors.append(f"this machine has glibc {have}, the binary needs 2.{needs}")
    for e in errors:
        print("check_wheel:", e, file=sys.stderr)
    if errors:
        return 1
    print(f"check_wheel: {os.path.basename(path)}: RECORD, binary, entry points and tag agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
