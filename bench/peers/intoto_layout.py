#!/usr/bin/env python3
"""Write and sign the in-toto root layout that bench/verify.sh gives `in-toto-verify`.

Usage: intoto_layout.py OWNER_KEY FUNCTIONARY_PUB OUT_LAYOUT

OWNER_KEY is a PKCS#8 PEM private key and FUNCTIONARY_PUB a PKIX (SubjectPublicKeyInfo) PEM
public key: exactly what `tollgate key generate` writes, which is also what in-toto 3 reads
(in-toto-run --signing-key, in-toto-verify --verification-keys). in-toto 3 has no CLI to create
a layout, so this uses its Python API, as its own demo does.

The layout (expires 2099) has
  - one step, "build", that the functionary's key must sign (threshold 1), with no materials
    and products that it creates: the artifacts;
  - one inspection, "verify-artifacts" (command `true`), which is how in-toto-verify looks at
    the artifacts on disk: it hashes every file in the working directory (as the inspection's
    materials, and again as its products) and requires each to MATCH, path and digest, a
    product of "build"; any other file is DISALLOWed, except the inspection's own link file,
    which in-toto-verify writes into the working directory on every run.
"""
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner

from in_toto.models._signer import load_public_key_from_file
from in_toto.models.layout import Inspection, Layout, Step
from in_toto.models.metadata import Metablock

INSPECTION = "verify-artifacts"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    owner_key, functionary_pub, out = argv
    with open(owner_key, "rb") as f:
        signer = CryptoSigner(load_pem_private_key(f.read(), None))
    functionary = load_public_key_from_file(functionary_pub)

    layout = Layout()
    layout.expires = "2099-01-01T00:00:00Z"
    layout.add_functionary_key(functionary)

    build = Step(name="build")
    build.pubkeys = [functionary["keyid"]]
    build.threshold = 1
    build.expected_materials = [["DISALLOW", "*"]]
    build.expected_products = [["CREATE", "*"], ["DISALLOW", "*"]]
    build.expected_command = []
    layout.steps = [build]

    rules = [
        ["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"],
        ["ALLOW", f"{INSPECTION}.link"],
        ["DISALLOW", "*"],
    ]
    inspection = Inspection(name=INSPECTION, run=["true"])
    inspection.expected_materials = rules
    inspection.expected_products = rules
    layout.inspect = [inspection]

    metablock = Metablock(signed=layout)
    metablock.create_signature(signer)
    metablock.dump(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
