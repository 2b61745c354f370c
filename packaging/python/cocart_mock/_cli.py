"""The `cocart-mock` console command: runs the binary this wheel carries with the given flags."""

import os
import subprocess
import sys

from . import binary_path


def main():
    exe = binary_path()
    if os.name == "nt":
        sys.exit(subprocess.call([exe, *sys.argv[1:]]))
    os.execv(exe, [exe, *sys.argv[1:]])
