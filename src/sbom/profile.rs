//! Minimum-elements profiles: NTIA (2021) and CISA 2025. For each element, the share of
//! components (or the document) that carries it.

use super::document::Document;
use super::model::{Component, DocumentFacts};
use crate::cli::Profile;

/// Coverage of one element.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementCoverage {
    pub element: &'static str,
    /// `component` (share of components) or `document` (met or not).
    pub scope: &'static str,
    pub met: usize,
    pub total: usize,
    /// Up to five components missing the element, for the message.
    pub examples: Vec<String>,
}

impl ElementCoverage {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            (self.met as f64) * 100.0 / (self.total as f64)
        }
    }

    pub fn complete(&self) -> bool {
        self.met == self.total
    }
}

pub fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Ntia => "NTIA minimum elements",
        Profile::Cisa2025 => "CISA 2025 minimum elements",
    }
}

type ComponentCheck = fn(&Component) -> bool;

fn per_component(
    element: &'static str,
    comps: &[Component],
    check: ComponentCheck,
) -> ElementCoverage {
    let mut met = 0;
    let mut examples = Vec::new();
    for c in comps {
        if check(c) {
            met += 1;
        } else if examples.len() < 5 {
            examples.push(if c.name.is_empty() {
                c.pointer.clone()
            } else {
                c.display()
            });
        }
    }
    ElementCoverage {
        element,
        scope: "component",
        met,
        total: comps.len(),
        examples,
    }
}

fn per_document(element: &'static str, ok: bool) -> ElementCoverage {
    ElementCoverage {
        element,
        scope: "document",
        met: usize::from(ok),
        total: 1,
        examples: Vec::new(),
    }
}

fn has_supplier(c: &Component) -> bool {
    c.supplier.is_some()
}
fn has_name(c: &Component) -> bool {
    !c.name.is_empty()
}
fn has_version(c: &Component) -> bool {
    c.version.is_some()
}
fn has_identifier(c: &Component) -> bool {
    c.purl.is_some() || c.cpe.is_some() || c.swid
}
fn in_graph(c: &Component) -> bool {
    c.in_dependency_graph
}
fn has_hash(c: &Component) -> bool {
    !c.hashes.is_empty()
}
fn has_license(c: &Component) -> bool {
    c.license.is_some()
}

/// Evaluate a profile over a document's components and facts.
pub fn evaluate(
    profile: Profile,
    _doc: &Document,
    comps: &[Component],
    facts: &DocumentFacts,
) -> Vec<ElementCoverage> {
    let mut out = vec![
        per_component("supplier name", comps, has_supplier),
        per_component("component name", comps, has_name),
        per_component("component version", comps, has_version),
        per_component("unique identifier", comps, has_identifier),
        per_component("dependency relationship", comps, in_graph),
        per_document(
            "author of SBOM data",
            !facts.authors.is_empty() || !facts.tools.is_empty(),
        ),
        per_document("timestamp", facts.timestamp.is_some()),
    ];
    if profile == Profile::Cisa2025 {
        // CISA 2025 separates the SBOM author from the tool and adds hash, licence and
        // generation context.
        out[5] = per_document("SBOM author", !facts.authors.is_empty());
        out[0].element = "software producer";
        out.push(per_component("component hash", comps, has_hash));
        out.push(per_component("license", comps, has_license));
        out.push(per_document("tool name", !facts.tools.is_empty()));
        out.push(per_document(
            "generation context",
            !facts.lifecycles.is_empty(),
        ));
    }
    out
}
