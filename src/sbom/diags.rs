//! Diagnostic codes of the SBOM checks (`SBOMnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    SCHEMA,
    "SBOM001",
    "schema-violation",
    Schema,
    Error,
    5.0,
    "The document does not validate against the official JSON schema of its declared version.",
    "fix the field at the JSON pointer so it matches the schema of the declared specVersion/spdxVersion",
);
code!(
    UNSUPPORTED_VERSION,
    "SBOM002",
    "unsupported-version",
    Schema,
    Error,
    5.0,
    "The declared specification version is unknown or not supported.",
    "declare a supported version: CycloneDX 1.2-1.7, SPDX-2.2, SPDX-2.3 or SPDX 3.0.1",
);
code!(
    DUPLICATE_REF,
    "SBOM003",
    "duplicate-ref",
    Semantic,
    Error,
    6.0,
    "Two elements share the same bom-ref or SPDXID, so references to it are ambiguous.",
    "give every component/service a unique bom-ref (SPDX: a unique SPDXID)",
);
code!(
    DANGLING_REF,
    "SBOM004",
    "dangling-ref",
    Semantic,
    Error,
    6.0,
    "A dependency, relationship or composition refers to an element that is not in the document.",
    "add the missing element or remove the reference",
);
code!(
    INVALID_PURL,
    "SBOM005",
    "invalid-purl",
    Semantic,
    Error,
    5.0,
    "A package URL does not follow the purl specification.",
    "write it as pkg:type/namespace/name@version?qualifiers#subpath (see github.com/package-url/purl-spec)",
);
code!(
    INVALID_LICENSE,
    "SBOM006",
    "invalid-license-expression",
    Semantic,
    Error,
    4.0,
    "A licence expression is not a valid SPDX licence expression.",
    "use SPDX identifiers joined by AND/OR/WITH (see spdx.org/licenses), or LicenseRef-<name> for others",
);
code!(
    HASH_LENGTH,
    "SBOM007",
    "hash-length-mismatch",
    Semantic,
    Error,
    7.0,
    "A hash value's length or alphabet does not match its algorithm.",
    "record the full hex digest produced by the named algorithm",
);
code!(
    SERIAL_NUMBER,
    "SBOM008",
    "invalid-document-id",
    Semantic,
    Error,
    4.0,
    "The CycloneDX serialNumber is not an RFC 4122 URN, or the SPDX documentNamespace is not an absolute URI without '#'.",
    "use serialNumber urn:uuid:<uuid> (CycloneDX) or a unique https URI without '#' (SPDX)",
);
code!(
    FUTURE_TIMESTAMP,
    "SBOM009",
    "future-timestamp",
    Semantic,
    Error,
    4.0,
    "A creation timestamp lies in the future relative to --now.",
    "check the producing machine's clock, or pass the intended time with --now",
);
code!(
    VERSION_FIELDS,
    "SBOM010",
    "fields-from-other-version",
    Semantic,
    Error,
    4.0,
    "The document uses fields or values that do not exist in the version it declares.",
    "declare the version the document is written in (e.g. SPDX-2.3), or remove the newer fields",
);
code!(
    MISSING_VERSION,
    "SBOM011",
    "missing-component-version",
    Semantic,
    Warning,
    2.0,
    "A component has no version, so vulnerability matching cannot work for it.",
    "record the resolved version of the component",
);
code!(
    PROFILE_ELEMENT,
    "SBOM020",
    "minimum-element-missing",
    Profile,
    Error,
    4.0,
    "An element required by the selected minimum-elements profile (NTIA, CISA 2025) is missing.",
    "add the element named in the message; the profile table shows the coverage per element",
);
code!(
    DRIFT_ADDED,
    "SBOM030",
    "component-added",
    Drift,
    Note,
    3.0,
    "A component is in the new SBOM but not in the old one.",
    "if expected, list it in the --allow file; otherwise remove the dependency",
);
code!(
    DRIFT_REMOVED,
    "SBOM031",
    "component-removed",
    Drift,
    Note,
    3.0,
    "A component is in the old SBOM but not in the new one.",
    "if expected, list it in the --allow file",
);
code!(
    DRIFT_VERSION,
    "SBOM032",
    "version-changed",
    Drift,
    Note,
    3.0,
    "A component's version differs between the two SBOMs.",
    "if expected, list it in the --allow file",
);
code!(
    DRIFT_LICENSE,
    "SBOM033",
    "license-changed",
    Drift,
    Note,
    4.0,
    "A component's licence differs between the two SBOMs.",
    "review the new licence; if acceptable, list it in the --allow file",
);
code!(
    DRIFT_HASH,
    "SBOM034",
    "hash-changed",
    Drift,
    Note,
    7.0,
    "A component has the same version but different hashes in the two SBOMs.",
    "the same version with different content may mean a tampered or rebuilt package; investigate before allowing",
);
code!(
    ALLOW_UNUSED,
    "SBOM035",
    "allow-entry-unused",
    Policy,
    Warning,
    1.0,
    "An entry of the --allow file matched no change.",
    "remove stale entries so the allow list stays meaningful",
);
code!(
    ALLOW_EXPIRED,
    "SBOM036",
    "allow-entry-expired",
    Policy,
    Error,
    5.0,
    "An entry of the --allow file has expired; the change it covered now denies.",
    "review the change and renew the entry with a new 'expires' date, or remove it",
);
code!(
    MERGE_CONFLICT,
    "SBOM040",
    "merge-conflict",
    Semantic,
    Warning,
    3.0,
    "Two merged SBOMs describe the same package (purl) or service with different details; the first was kept.",
    "check that both inputs describe the same build",
);

code!(
    MERGE_DROPPED,
    "SBOM041",
    "merge-dropped-section",
    Semantic,
    Warning,
    3.0,
    "An input has top-level sections (formulation, definitions, declarations…) that the merged SBOM does not carry; metadata, components, services, dependencies, compositions, vulnerabilities and annotations are merged.",
    "merge those sections by hand, or keep the input's own SBOM beside the merged one",
);

pub static ALL: &[&CodeInfo] = &[
    &SCHEMA,
    &UNSUPPORTED_VERSION,
    &DUPLICATE_REF,
    &DANGLING_REF,
    &INVALID_PURL,
    &INVALID_LICENSE,
    &HASH_LENGTH,
    &SERIAL_NUMBER,
    &FUTURE_TIMESTAMP,
    &VERSION_FIELDS,
    &MISSING_VERSION,
    &PROFILE_ELEMENT,
    &DRIFT_ADDED,
    &DRIFT_REMOVED,
    &DRIFT_VERSION,
    &DRIFT_LICENSE,
    &DRIFT_HASH,
    &ALLOW_UNUSED,
    &ALLOW_EXPIRED,
    &MERGE_CONFLICT,
    &MERGE_DROPPED,
];
