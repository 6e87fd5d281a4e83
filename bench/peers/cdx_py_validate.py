#!/usr/bin/env python3
"""Validate CycloneDX 1.6 JSON files with cyclonedx-python-lib's JsonStrictValidator.

Usage: cdx_py_validate.py FILE...   Exit 0 if every file is valid, 1 if any is invalid,
2 on a usage or read error. This is the peer bench/run.sh times; it does what a user of the
library would write: read the file, hand the text to the validator, report the first error.
"""
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    rc = 0
    for path in argv:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 2
        error = validator.validate_str(text)
        if error is None:
            print(f"{path}: valid")
        else:
            print(f"{path}: INVALID: {error}")
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
