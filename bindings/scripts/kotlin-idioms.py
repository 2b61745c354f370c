#!/usr/bin/env python3
"""Two edits to the Kotlin that uniffi-bindgen 0.32 generates, which its templates cannot be told
to make. Run by generate.sh on every generated .kt file; it stops with an error when the code no
longer has the expected shape (a new uniffi version), so an edit is never silently skipped.

1. `CoCartException.message`: uniffi writes each variant's message as `field=value, …` (empty for
   a variant without fields, `kind=…ValidationKind$Other@2f40e5db` for an object). The FFI
   exports the error's Rust `Display` (`#[uniffi::export(Display)]`), which uniffi emits as
   `toString()` on the sealed class; this turns that function into the `message` getter and
   drops the variants' own getters. `toString()` is then Kotlin's usual `ClassName: message`.
2. Variants without data of a sealed class become `data object`s (Kotlin 1.9+), so they print
   as their name (`OutOfStock`) instead of `ValidationKind$OutOfStock@7e572252`, and compare
   and hash like the data classes next to them.

    python3 kotlin-idioms.py FILE.kt...
"""
import re
import sys

ERROR_CLASS = "CoCartException"


def fix_error_message(text: str, path: str) -> str:
    start = text.find(f"sealed class {ERROR_CLASS}: kotlin.Exception()")
    if start < 0:
        return text
    end = text.find("companion object ErrorHandler", start)
    if end < 0:
        sys.exit(f"kotlin-idioms: {path}: no ErrorHandler after {ERROR_CLASS}")
    body = text[start:end]
    variants = len(re.findall(rf"\n    class \w+\((?:.|\n)*?\) : {ERROR_CLASS}\(\)", body))
    getter = re.compile(r"\n        override val message\n            get\(\) = \"[^\n]*\"")
    body, removed = getter.subn("", body)
    if variants == 0 or removed != variants:
        sys.exit(
            f"kotlin-idioms: {path}: {ERROR_CLASS} has {variants} variants and {removed} "
            "generated message getters; the template changed"
        )
    display = "\n    override fun toString(): String {\n"
    if body.count(display) != 1:
        sys.exit(
            f"kotlin-idioms: {path}: {ERROR_CLASS} has no exported Display (toString); "
            "is #[uniffi::export(Display)] still on CoCartError?"
        )
    body = body.replace(display, "\n    override val message: String\n        get() {\n")
    return text[:start] + body + text[end:]


def data_objects(text: str) -> str:
    # `    object Name : Parent()` is how uniffi declares a variant without fields.
    return re.sub(r"(?m)^(    )object (\w+ : \w+\(\))$", r"\1data object \2", text)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    patched_error = False
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = fix_error_message(text, path)
        patched_error |= new != text
        new = data_objects(new)
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    if not patched_error:
        sys.exit(f"kotlin-idioms: no {ERROR_CLASS} found in {' '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
